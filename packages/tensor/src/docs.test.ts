/** Keeps docs/tensor.md, docs/autograd.md and this package's README honest (see test-utils' describeDocs). */
import * as testUtils from '@minikeras/test-utils';
import * as mk from './index';

testUtils.describeDocs(
  [new URL('../../../docs/tensor.md', import.meta.url), new URL('../../../docs/autograd.md', import.meta.url), new URL('../README.md', import.meta.url)],
  { modules: { minikeras: mk, '@minikeras/tensor': mk, '@minikeras/test-utils': testUtils }, beforeEach: () => mk.setSeed(1) },
);
