// Every test file starts from the same global seed, so a test that draws from the unseeded stream
// (weight initializers, dropout, shuffles) sees the same numbers on every run and in any order of files.
import { setSeed } from '@minikeras/tensor';

setSeed(20261124);
