/**
 * minikeras: `import { Sequential, layers, optimizers, losses } from 'minikeras'`.
 *
 * A thin re-export of the `@minikeras/*` packages, so every class and every piece of global state (the seed, the
 * kernel backend) exists once, however a program reaches it. Tensor creation, ops and autograd sit at the top
 * level (tfjs style), with everything `@minikeras/layers` exports (models, the `layers`, `callbacks`,
 * `initializers` and `regularizers` namespaces, saving); optimizers, losses, metrics and datasets under Keras'
 * namespaces.
 *
 * @packageDocumentation
 */
export * from '@minikeras/tensor';
export * from '@minikeras/layers';
export * as optimizers from '@minikeras/optimizers';
export type { OptimizerName } from '@minikeras/optimizers';
export * as losses from '@minikeras/losses';
export { metrics } from '@minikeras/losses';
export type { LossName, MetricName } from '@minikeras/losses';
export * as datasets from '@minikeras/datasets';
