"""``keras.preprocessing.text``: Keras 3 exports nothing here but the module itself."""
