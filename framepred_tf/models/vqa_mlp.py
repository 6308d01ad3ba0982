"""VQA bag-of-words MLP (the seed's model 2: summed word vectors + CNN feature -> MLP).

Question: the sum of its word vectors (padding excluded) ``(B, E)``; image: the
precomputed feature ``(B, D)``; the two are concatenated and passed through an MLP
(3 x 1024 tanh, dropout 0.5 in the seed) and a softmax over the K answers.

Inputs: ``{"question": int (B, L) word ids (0 = pad), "image": float (B, D)}``; output ``(B, K)``.
"""
import keras
from keras import ops

from framepred_tf.models import register_model
from framepred_tf.models.vqa_lstm import apply_stack, dense_stack, word_vector_matrix


def bag_of_words(embedding, question):
    """Sum of the word vectors of the real words: ``(B, L)`` ids -> ``(B, E)`` (0 = pad, excluded)."""
    vectors = embedding(question)
    real = ops.cast(ops.not_equal(question, 0), vectors.dtype)
    return ops.sum(vectors * real[:, :, None], axis=1)


@register_model("vqa_mlp")
@keras.saving.register_keras_serializable(package="framepred_tf")
class VQAMLP(keras.Model):
    """Bag-of-words question + image feature -> MLP -> softmax (seed model 2).

    ``word_vectors``: optional GloVe-format text file (with ``vocabulary``) initialising the
    word vectors (the seed used fixed 300-d GloVe vectors: ``trainable_embeddings=False``).
    """

    def __init__(self, vocab_size=15000, num_answers=1000, embed_dim=300, mlp_units=(1024, 1024, 1024),
                 activation="tanh", dropout=0.5, trainable_embeddings=True, word_vectors=None,
                 vocabulary=None, **kwargs):
        super().__init__(**kwargs)
        matrix = word_vector_matrix(word_vectors, vocabulary, vocab_size)
        self.vocab_size, self.num_answers = int(vocab_size), int(num_answers)
        self.embed_dim = int(matrix.shape[1]) if matrix is not None else int(embed_dim)
        self.mlp_units, self.activation, self.dropout_rate = tuple(mlp_units), activation, float(dropout)
        self.trainable_embeddings = bool(trainable_embeddings)
        initializer = keras.initializers.Constant(matrix) if matrix is not None else "uniform"
        self.embedding = keras.layers.Embedding(self.vocab_size, self.embed_dim, embeddings_initializer=initializer,
                                                trainable=self.trainable_embeddings, name="word_vectors")
        self.mlp = dense_stack(self.mlp_units, activation, self.dropout_rate, "mlp")
        self.classifier = keras.layers.Dense(self.num_answers, activation="softmax", name="answer")

    def call(self, inputs, training=None):
        image = ops.cast(inputs["image"], self.compute_dtype)
        x = ops.concatenate([bag_of_words(self.embedding, inputs["question"]), image], axis=-1)
        return self.classifier(apply_stack(self.mlp, x, training))

    def get_config(self):
        config = super().get_config()
        config.update(vocab_size=self.vocab_size, num_answers=self.num_answers, embed_dim=self.embed_dim,
                      mlp_units=list(self.mlp_units), activation=self.activation, dropout=self.dropout_rate,
                      trainable_embeddings=self.trainable_embeddings)
        return config
