/** Keeps docs/recurrent.md honest: every example runs and checks at least one printed value (see describeDocs). */
import { describeDocs } from '@minikeras/test-utils';
import * as tensorPackage from '@minikeras/tensor';
import * as layersPackage from '../../index';
import { clearSession } from '../../engine/layer';

describeDocs([new URL('../../../../../docs/recurrent.md', import.meta.url)], {
  modules: { minikeras: { ...tensorPackage, ...layersPackage } },
  minBlocks: 12,
  minChecks: 1,
  beforeEach: () => {
    clearSession();
    tensorPackage.setSeed(1);
  },
});
