// Type-level tests, compiled by the root `tsc -p tsconfig.json`: misspelled names must not compile.
import { getLoss, getMetric, metrics } from './index';
import type { LossName, MetricName } from './index';

getLoss('mean_squared_error');
getLoss('mse');
getLoss('categoricalCrossentropy');
getLoss('CategoricalCrossentropy');
// @ts-expect-error misspelled loss name
getLoss('mean_sqared_error');
// @ts-expect-error tfjs name with the wrong case
getLoss('categoricalcrossentropy');

const loss: LossName = 'sparse_categorical_crossentropy';
// @ts-expect-error not a loss
const notLoss: LossName = 'accuracy';

getMetric('accuracy');
getMetric('acc');
getMetric('sparse_top_k_categorical_accuracy');
getMetric('auc', { loss: 'binary_crossentropy' });
// @ts-expect-error misspelled metric name
getMetric('acuracy');
// @ts-expect-error misspelled loss passed along with a metric
getMetric('accuracy', { loss: 'binary_crossentropyy' });

const metric: MetricName = 'precision';
// @ts-expect-error not a metric
const notMetric: MetricName = 'huber_loss';

new metrics.AUC({ curve: 'PR', summationMethod: 'majoring' });
// @ts-expect-error curve is 'ROC' or 'PR'
new metrics.AUC({ curve: 'roc' });
// @ts-expect-error sample weights must be tensor-like
new metrics.Mean().updateState(1, 'x');

export { loss, notLoss, metric, notMetric };
