/**
 * Shared by the callbacks that watch one log key (EarlyStopping, ReduceLROnPlateau, ModelCheckpoint):
 * whether bigger is better, and a warn-once for a key the logs do not have.
 *
 * Keras 3 decides `mode: 'auto'` from the metric objects' `_direction` ('up' for accuracy, AUC,
 * precision, recall, ...; 'down' for errors) and from the name 'loss'. Callbacks here see only the
 * logs, so the same decision is made from the Keras metric names.
 */

export type MonitorMode = 'auto' | 'min' | 'max';

/** Keras metrics whose `_direction` is 'up' (bigger is better). */
const UP_METRICS = new Set([
  'accuracy', 'acc', 'binary_accuracy', 'categorical_accuracy', 'sparse_categorical_accuracy',
  'top_k_categorical_accuracy', 'sparse_top_k_categorical_accuracy', 'auc', 'precision', 'recall',
  'f1_score', 'fbeta_score', 'r2_score', 'cosine_similarity', 'iou', 'mean_iou', 'binary_iou', 'one_hot_iou',
  'one_hot_mean_iou', 'precision_at_recall', 'recall_at_precision', 'sensitivity_at_specificity',
  'specificity_at_sensitivity',
]);

/** Keras metrics whose `_direction` is 'down', with their short aliases. */
const DOWN_METRICS = new Set([
  'loss', 'mse', 'mae', 'mape', 'msle', 'rmse', 'mean_squared_error', 'mean_absolute_error',
  'mean_absolute_percentage_error', 'mean_squared_logarithmic_error', 'root_mean_squared_error',
  'binary_crossentropy', 'categorical_crossentropy', 'sparse_categorical_crossentropy',
  'binary_focal_crossentropy', 'categorical_focal_crossentropy', 'kl_divergence', 'kld', 'poisson',
  'hinge', 'squared_hinge', 'categorical_hinge', 'log_cosh_error', 'logcosh',
]);

/**
 * 'max' when bigger is better for `monitor` (the `val_` prefix ignored), 'min' when smaller is, null when
 * the name says neither. Names outside Keras' list fall back to their parts: `acc`, `auc`, `precision`,
 * `recall`, `iou`, `f1` mean 'max'; `loss`, `error`, `crossentropy`, `hinge`, `divergence` mean 'min'.
 */
export function inferMonitorMode(monitor: string): 'min' | 'max' | null {
  const name = monitor.startsWith('val_') ? monitor.slice(4) : monitor;
  if (DOWN_METRICS.has(name)) return 'min';
  if (UP_METRICS.has(name)) return 'max';
  if (/(^|_)loss$/.test(name) || /error|crossentropy|hinge|divergence/.test(name)) return 'min';
  if (/acc|auc|precision|recall|iou|f1/.test(name)) return 'max';
  return null;
}

/** Resolves `mode` for `owner`, throwing (like Keras) when 'auto' cannot tell the direction. */
export function resolveMonitorMode(owner: string, monitor: string, mode: MonitorMode): 'min' | 'max' {
  if (mode !== 'auto' && mode !== 'min' && mode !== 'max') {
    throw new Error(`${owner}: mode must be 'auto', 'min' or 'max', got ${JSON.stringify(mode)}`);
  }
  if (mode !== 'auto') return mode;
  const inferred = inferMonitorMode(monitor);
  if (inferred === null) {
    throw new Error(
      `${owner}: cannot tell from monitor='${monitor}' whether it should be maximized or minimized. ` +
      `Pass mode: 'max' to use the highest value, or mode: 'min' to use the lowest.`,
    );
  }
  return inferred;
}

/** `console.warn` once per key until `reset()` (each fit), as Python's `warnings.warn` shows a warning once. */
export class WarnOnce {
  private readonly seen = new Set<string>();
  warn(key: string, message: string): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    console.warn(message);
  }
  reset(): void { this.seen.clear(); }
}

export function printMessage(message: string): void {
  console.log(message);
}

export function requireModel<M>(owner: string, model: M | null): M {
  if (model === null) throw new Error(`${owner}: no model is set; pass the callback to fit({ callbacks }) or call setModel() first`);
  return model;
}
