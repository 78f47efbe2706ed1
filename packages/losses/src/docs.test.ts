/** Keeps docs/losses.md and docs/metrics.md honest: every example checks its printed values (see describeDocs). */
import { describeDocs } from '@minikeras/test-utils';
import * as tensor from '@minikeras/tensor';
import * as losses from './index';

describeDocs([new URL('../../../docs/losses.md', import.meta.url), new URL('../../../docs/metrics.md', import.meta.url)], {
  modules: { '@minikeras/losses': losses, '@minikeras/tensor': tensor },
  minChecks: 1,
  strictLogs: true,
});
