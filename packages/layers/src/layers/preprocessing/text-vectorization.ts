/**
 * TextVectorization (Keras 3 `keras/src/layers/preprocessing/text_vectorization.py`, with the vocabulary rules
 * of `index_lookup.py` / `string_lookup.py`): turns a batch of strings into token ids or per-text
 * multi-hot / count / TF-IDF vectors, with a vocabulary learned by `adapt` or given.
 *
 * minikeras tensors hold numbers only, so this is a preprocessing object used before the model (Keras too
 * recommends running it in the input pipeline rather than inside the model): it is not a `Layer`, is not
 * saved with a model, and its `call(texts)` returns an ordinary int32 / float32 `Tensor` to feed `fit`.
 */
import { Tensor } from '@minikeras/tensor';
import { didYouMean } from '../../activations';

/** How `TextVectorization` standardizes each text before splitting it. */
export type TextStandardize = 'lower_and_strip_punctuation' | 'lower' | 'strip_punctuation' | null | ((text: string) => string);
/** How `TextVectorization` splits a standardized text into tokens. */
export type TextSplit = 'whitespace' | 'character' | null | ((text: string) => string[]);
/** What `TextVectorization.call` returns per text. */
export type TextOutputMode = 'int' | 'multi_hot' | 'count' | 'tf_idf';

/** Options of `new TextVectorization(...)`: Keras' arguments in camelCase (no `sparse`, `ragged`, `encoding`). */
export interface TextVectorizationArgs {
  /**
   * The largest vocabulary, counting the special tokens: `''` (padding, `'int'` mode only) and `'[UNK]'`
   * (out of vocabulary). `adapt` keeps the `maxTokens - 2` (`'int'`) or `maxTokens - 1` most frequent tokens.
   * Default null: no limit.
   */
  maxTokens?: number | null;
  /**
   * Default `'lower_and_strip_punctuation'`. As in Keras (`tf.strings.lower`, and the regex of ASCII
   * punctuation), lowercasing changes A–Z only and stripping removes the 32 ASCII punctuation characters;
   * pass a function (`(t) => t.toLowerCase()`) for Unicode-aware rules.
   */
  standardize?: TextStandardize;
  /**
   * Default `'whitespace'`: split on runs of ASCII whitespace (space, \t, \n, \v, \f, \r), dropping empty
   * tokens, like `tf.strings.split`. `'character'`: one token per Unicode code point. `null`: each text is one
   * token. A function receives one standardized text and returns its tokens.
   */
  split?: TextSplit;
  /**
   * Also (or instead) emit n-grams of the split tokens, joined by a space: `2` means unigrams and bigrams
   * (Keras' `ngrams=2` is `(1, 2)`), a list `[2, 3]` exactly those widths. Per text, all n-grams of the first
   * width come first. Default null.
   */
  ngrams?: number | readonly number[] | null;
  /** Default `'int'`. */
  outputMode?: TextOutputMode;
  /**
   * `'int'` mode only: pad with 0 at the end, or truncate, every row to exactly this many ids. Default null:
   * rows are padded to the longest text of the batch.
   */
  outputSequenceLength?: number | null;
  /** Non-`'int'` modes: make the output `maxTokens` wide even when the vocabulary is smaller. Default false. */
  padToMaxTokens?: boolean;
  /**
   * A fixed vocabulary (most frequent first, no repeats); it may start with the special tokens
   * (`['', '[UNK]', ...]` in `'int'` mode, `['[UNK]', ...]` otherwise), which are then skipped. A layer given a
   * vocabulary cannot be adapted.
   */
  vocabulary?: readonly string[] | null;
  /** `'tf_idf'` mode with `vocabulary`: the inverse document frequency of each vocabulary entry. */
  idfWeights?: readonly number[] | null;
}

/** The configuration `getConfig()` returns: the constructor options (Keras' keys in camelCase) with the vocabulary. */
export interface TextVectorizationConfig {
  maxTokens: number | null;
  standardize: Exclude<TextStandardize, (text: string) => string>;
  split: Exclude<TextSplit, (text: string) => string[]>;
  ngrams: number | number[] | null;
  outputMode: TextOutputMode;
  outputSequenceLength: number | null;
  padToMaxTokens: boolean;
  vocabulary: string[] | null;
  idfWeights: number[] | null;
  vocabularySize: number;
}

const OPTION_KEYS = ['maxTokens', 'standardize', 'split', 'ngrams', 'outputMode', 'outputSequenceLength', 'padToMaxTokens', 'vocabulary', 'idfWeights'];
const CONFIG_KEYS = [...OPTION_KEYS, 'vocabularySize', 'name'];
const STANDARDIZE = ['lower_and_strip_punctuation', 'lower', 'strip_punctuation'];
const SPLIT = ['whitespace', 'character'];
const OUTPUT_MODES = ['int', 'multi_hot', 'count', 'tf_idf'];
const MASK_TOKEN = '';
const OOV_TOKEN = '[UNK]';
const OWNER = 'TextVectorization';

// Keras' DEFAULT_STRIP_REGEX: every ASCII punctuation character (Python's string.punctuation).
const PUNCTUATION = /[!"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~']/g;
// tf.strings.split without a separator splits on absl::ascii_isspace.
const ASCII_WHITESPACE = /[ \t\n\v\f\r]+/;

/** ASCII-only lowercasing, as `tf.strings.lower` without an encoding. */
function lowerAscii(text: string): string {
  // On pure-ASCII text toLowerCase changes exactly A-Z, and is much faster than a replace callback.
  return NON_ASCII.test(text) ? text.replace(/[A-Z]+/g, (s) => s.toLowerCase()) : text.toLowerCase();
}
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Orders strings by Unicode code point (= the byte order of their UTF-8, which is how Keras' numpy sort
 * compares tokens). JavaScript's `<` compares UTF-16 units, which differs once surrogate pairs are involved.
 */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const fix = (u: number) => (u >= 0xe000 ? u - 0x800 : u >= 0xd800 ? u + 0x2000 : u);
      return fix(x) - fix(y);
    }
  }
  return a.length - b.length;
}

function optionError(option: string, expected: string, got: unknown): Error {
  const shown = typeof got === 'function' ? 'a function' : JSON.stringify(got);
  return new Error(`${OWNER}: ${option} must be ${expected}, got ${shown}`);
}

/**
 * Keras' `TextVectorization`: standardize → split → (n-grams) → look up each token in a vocabulary.
 *
 * Ids in `'int'` mode: 0 is padding (`''`), 1 is out of vocabulary (`'[UNK]'`), and the vocabulary follows,
 * most frequent token first. `adapt(texts)` learns the vocabulary: tokens sorted by count, high to low, ties
 * broken by the token itself, high to low (code-point order), exactly as Keras' `index_lookup`.
 *
 * It is a preprocessing object, not a `Layer`: minikeras tensors hold numbers, so strings are turned into ids
 * before the model (`model.fit(vectorizer.call(texts), labels)`); it is not saved with a model. `getConfig()`
 * (which includes the vocabulary) and `TextVectorization.fromConfig` keep it.
 *
 * ```ts
 * const vectorizer = new TextVectorization({ maxTokens: 5000, outputSequenceLength: 4 });
 * vectorizer.adapt(['foo bar', 'bar baz', 'baz bada boom']);
 * vectorizer.call(['foo qux bar', 'qux baz']).arraySync(); // [[4, 1, 3, 0], [1, 2, 0, 0]]
 * ```
 *
 * Divergences from Keras: texts are per-string functions for a custom `standardize` / `split` (Keras passes
 * whole string tensors); calling before `adapt` or a `vocabulary` is an error (Keras' `'int'` mode returns
 * only OOV ids); no `sparse`, `ragged`, `encoding` or vocabulary file path.
 */
export class TextVectorization {
  static readonly className = 'TextVectorization';
  readonly maxTokens: number | null;
  readonly standardize: TextStandardize;
  readonly split: TextSplit;
  /** The n-gram widths, `ngrams: 2` giving `[1, 2]`; null for plain tokens. */
  readonly ngramWidths: number[] | null;
  readonly outputMode: TextOutputMode;
  readonly outputSequenceLength: number | null;
  readonly padToMaxTokens: boolean;
  private readonly ngramsArg: number | number[] | null;
  private readonly hasInputVocabulary: boolean;
  /** The learned or given tokens, without the special ones. */
  private tokens: string[] = [];
  private index = new Map<string, number>();
  /** TF-IDF weights per output slot (OOV first, padded to the output width). */
  private idf: Float64Array | null = null;
  private ready = false;

  constructor(args: TextVectorizationArgs = {}) {
    if (args === null || typeof args !== 'object') throw optionError('its options', 'an object', args);
    for (const key of Object.keys(args)) {
      if (!OPTION_KEYS.includes(key)) {
        throw new Error(`${OWNER}: unknown option '${key}'${didYouMean(key, OPTION_KEYS)}; valid options are ${OPTION_KEYS.join(', ')}`);
      }
    }
    const maxTokens = args.maxTokens ?? null;
    if (maxTokens !== null && !(Number.isInteger(maxTokens) && maxTokens > 0)) throw optionError('maxTokens', 'null or a positive integer', maxTokens);
    const standardize = args.standardize === undefined ? 'lower_and_strip_punctuation' : args.standardize;
    if (!(standardize === null || typeof standardize === 'function' || STANDARDIZE.includes(standardize))) {
      throw optionError('standardize', `one of ${STANDARDIZE.map((s) => `'${s}'`).join(', ')}, null or a function`, standardize);
    }
    const split = args.split === undefined ? 'whitespace' : args.split;
    if (!(split === null || typeof split === 'function' || SPLIT.includes(split))) {
      throw optionError('split', "'whitespace', 'character', null or a function", split);
    }
    const outputMode = args.outputMode ?? 'int';
    if (!OUTPUT_MODES.includes(outputMode)) {
      throw optionError('outputMode', OUTPUT_MODES.map((s) => `'${s}'`).join(', ').replace(/, ([^,]*)$/, ' or $1'), outputMode);
    }
    const ngrams = args.ngrams ?? null;
    const positive = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n > 0;
    if (!(ngrams === null || positive(ngrams) || (Array.isArray(ngrams) && ngrams.length > 0 && ngrams.every(positive)))) {
      throw optionError('ngrams', 'null, a positive integer or a non-empty list of them', ngrams);
    }
    const outputSequenceLength = args.outputSequenceLength ?? null;
    if (outputSequenceLength !== null) {
      if (outputMode !== 'int') {
        throw new Error(`${OWNER}: outputSequenceLength applies to outputMode 'int' only, got outputMode '${outputMode}' with outputSequenceLength ${JSON.stringify(outputSequenceLength)}`);
      }
      if (!(Number.isInteger(outputSequenceLength) && outputSequenceLength > 0)) {
        throw optionError('outputSequenceLength', 'null or a positive integer', outputSequenceLength);
      }
    }
    const padToMaxTokens = args.padToMaxTokens ?? false;
    if (typeof padToMaxTokens !== 'boolean') throw optionError('padToMaxTokens', 'a boolean', padToMaxTokens);
    if (padToMaxTokens && maxTokens === null) throw new Error(`${OWNER}: padToMaxTokens needs maxTokens (the width to pad to)`);
    const specials = outputMode === 'int' ? 2 : 1;
    if (maxTokens !== null && maxTokens <= specials) {
      throw new Error(`${OWNER}: maxTokens ${maxTokens} leaves no room for a token after the ${specials} special token(s) of outputMode '${outputMode}'; give at least ${specials + 1}`);
    }

    this.maxTokens = maxTokens;
    this.standardize = standardize;
    this.split = split;
    this.ngramsArg = ngrams === null ? null : typeof ngrams === 'number' ? ngrams : [...ngrams];
    this.ngramWidths = ngrams === null ? null : typeof ngrams === 'number' ? Array.from({ length: ngrams }, (_, i) => i + 1) : [...ngrams];
    this.outputMode = outputMode;
    this.outputSequenceLength = outputSequenceLength;
    this.padToMaxTokens = padToMaxTokens;
    this.hasInputVocabulary = args.vocabulary != null;
    if (args.vocabulary != null) this.setVocabulary(args.vocabulary, args.idfWeights ?? null);
    else if (args.idfWeights != null) throw new Error(`${OWNER}: idfWeights are given with a vocabulary (adapt computes its own)`);
  }

  /** Index of the first learned token: after `''` and `'[UNK]'` in `'int'` mode, after `'[UNK]'` otherwise. */
  private get tokenStart(): number {
    return this.outputMode === 'int' ? 2 : 1;
  }

  /** Width of a multi-hot / count / TF-IDF row. */
  private get depth(): number {
    return this.padToMaxTokens ? this.maxTokens! : this.vocabularySize();
  }

  /**
   * Learns the vocabulary from `texts` (replacing any learned before): each text is standardized and split,
   * the tokens are counted, and the most frequent ones (up to `maxTokens` with the special tokens) are kept,
   * sorted by count and then by token, both high to low. In `'tf_idf'` mode it also learns the document
   * frequencies: `idf = log(1 + documents / (1 + documents containing the token))`, the OOV slot getting
   * their mean (Keras).
   */
  adapt(texts: readonly string[] | readonly (readonly string[])[]): void {
    if (this.hasInputVocabulary) {
      throw new Error(`${OWNER}.adapt: this vectorizer was given a fixed vocabulary; adapt learns one only when none is given`);
    }
    const rows = this.preprocessAll('adapt', texts);
    if (rows.length === 0) throw new Error(`${OWNER}.adapt: needs at least one text, got an empty list`);
    const counts = new Map<string, number>();
    const documents = this.outputMode === 'tf_idf' ? new Map<string, number>() : null;
    for (const tokens of rows) {
      for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
      if (documents) for (const t of new Set(tokens)) documents.set(t, (documents.get(t) ?? 0) + 1);
    }
    counts.delete(MASK_TOKEN);
    counts.delete(OOV_TOKEN);
    const keep = this.maxTokens === null ? counts.size : this.maxTokens - this.tokenStart;
    let entries = [...counts.entries()];
    if (entries.length > keep) {
      // Only tokens counted at least as often as the keep-th most frequent one can make the cut: sort those.
      const byCount = Float64Array.from(entries, (e) => e[1]).sort();
      const threshold = byCount[byCount.length - keep]!;
      entries = entries.filter((e) => e[1] >= threshold);
    }
    entries.sort((a, b) => b[1] - a[1] || compareCodePoints(b[0], a[0]));
    const sorted = entries.slice(0, keep).map(([t]) => t);
    this.setTokens(sorted);
    if (documents) {
      const n = rows.length;
      const weights = sorted.map((t) => Math.log(1 + n / (1 + documents.get(t)!)));
      this.setIdf(weights, weights.length > 0 ? weights.reduce((s, w) => s + w, 0) / weights.length : 0);
    }
    this.ready = true;
  }

  /**
   * Sets the vocabulary (and, in `'tf_idf'` mode, its inverse document frequencies) directly, as Keras'
   * `set_vocabulary`. Leading special tokens (`['', '[UNK]']` in `'int'` mode, `['[UNK]']` otherwise) are
   * skipped; repeated tokens, a misplaced `''`, or more than `maxTokens` entries are errors.
   */
  setVocabulary(vocabulary: readonly string[], idfWeights: readonly number[] | null = null): void {
    if (!Array.isArray(vocabulary) || !vocabulary.every((t) => typeof t === 'string')) {
      throw optionError('vocabulary', 'a list of strings', vocabulary);
    }
    if (this.outputMode === 'tf_idf' && idfWeights === null) {
      throw new Error(`${OWNER}: outputMode 'tf_idf' with a vocabulary needs idfWeights too (one per vocabulary entry)`);
    }
    if (this.outputMode !== 'tf_idf' && idfWeights !== null) {
      throw new Error(`${OWNER}: idfWeights apply to outputMode 'tf_idf' only, got outputMode '${this.outputMode}'`);
    }
    if (vocabulary.length === 0) throw new Error(`${OWNER}: the vocabulary is empty; give at least one token`);
    const special = this.outputMode === 'int' ? [MASK_TOKEN, OOV_TOKEN] : [OOV_TOKEN];
    const hasSpecial = special.every((s, i) => vocabulary[i] === s);
    const tokens = hasSpecial ? vocabulary.slice(special.length) : [...vocabulary];
    const seen = new Set<string>();
    const repeated = new Set<string>();
    for (const t of tokens) (seen.has(t) ? repeated : seen).add(t);
    if (repeated.size > 0) {
      throw new Error(`${OWNER}: the vocabulary repeats ${[...repeated].map((t) => JSON.stringify(t)).join(', ')}; each token must appear once`);
    }
    if (seen.has(MASK_TOKEN)) {
      throw new Error(
        `${OWNER}: the vocabulary holds the padding token '' at index ${vocabulary.lastIndexOf(MASK_TOKEN)}; leave out the special tokens, ` +
          `or put them first in exactly this order: ${JSON.stringify(special)}`,
      );
    }
    const size = this.tokenStart + tokens.length;
    if (this.maxTokens !== null && size > this.maxTokens) {
      throw new Error(`${OWNER}: the vocabulary has ${size} entries with the special tokens, more than maxTokens ${this.maxTokens}`);
    }
    if (idfWeights !== null) {
      if (!Array.isArray(idfWeights) || idfWeights.length !== vocabulary.length || !idfWeights.every((w) => typeof w === 'number' && Number.isFinite(w))) {
        throw new Error(`${OWNER}: idfWeights must be ${vocabulary.length} finite numbers, one per vocabulary entry, got ${JSON.stringify(idfWeights)}`);
      }
    }
    this.setTokens(tokens);
    if (idfWeights !== null) {
      if (hasSpecial) this.setIdf(idfWeights.slice(1), idfWeights[0]!);
      else this.setIdf([...idfWeights], idfWeights.reduce((s, w) => s + w, 0) / idfWeights.length);
    }
    this.ready = true;
  }

  private setTokens(tokens: string[]): void {
    this.tokens = tokens;
    this.index = new Map(tokens.map((t, i) => [t, i + this.tokenStart]));
  }

  /** IDF per output slot: the OOV slot first, then the tokens, zeros up to `maxTokens` with padToMaxTokens. */
  private setIdf(tokenWeights: readonly number[], oovWeight: number): void {
    const idf = new Float64Array(this.depth);
    idf[0] = oovWeight;
    idf.set(tokenWeights, 1);
    this.idf = idf;
  }

  /**
   * The vocabulary, index = id: `['', '[UNK]', ...tokens]` in `'int'` mode, `['[UNK]', ...tokens]` otherwise;
   * only the tokens with `includeSpecialTokens: false`.
   */
  getVocabulary(includeSpecialTokens = true): string[] {
    if (!includeSpecialTokens) return [...this.tokens];
    return [...(this.outputMode === 'int' ? [MASK_TOKEN, OOV_TOKEN] : [OOV_TOKEN]), ...this.tokens];
  }

  /** The number of ids, special tokens included: `Embedding`'s `inputDim` for `'int'` output. */
  vocabularySize(): number {
    return this.tokenStart + this.tokens.length;
  }

  /** The standardized, split (and n-grammed) tokens of one text, as `call` looks them up. */
  tokenize(text: string): string[] {
    if (typeof text !== 'string') throw optionError('tokenize(text): text', 'a string', text);
    return this.preprocess(text, 'tokenize', 0);
  }

  private preprocess(text: string, method: string, i: number): string[] {
    let s = text;
    if (this.standardize === 'lower' || this.standardize === 'lower_and_strip_punctuation') s = lowerAscii(s);
    if (this.standardize === 'strip_punctuation' || this.standardize === 'lower_and_strip_punctuation') s = s.replace(PUNCTUATION, '');
    if (typeof this.standardize === 'function') {
      s = this.standardize(s);
      if (typeof s !== 'string') throw new Error(`${OWNER}.${method}: the standardize function returned ${typeof s} for text ${i}; it must return a string`);
    }
    let tokens: string[];
    if (this.split === 'whitespace') tokens = s.split(ASCII_WHITESPACE).filter((t) => t.length > 0);
    else if (this.split === 'character') tokens = Array.from(s);
    else if (this.split === null) tokens = [s];
    else {
      const out: unknown = this.split(s);
      if (!Array.isArray(out) || !out.every((t) => typeof t === 'string')) {
        throw new Error(`${OWNER}.${method}: the split function must return a list of strings, got ${JSON.stringify(out)} for text ${i}`);
      }
      tokens = out as string[];
    }
    if (this.ngramWidths === null) return tokens;
    const grams: string[] = [];
    for (const w of this.ngramWidths) {
      for (let k = 0; k + w <= tokens.length; k++) grams.push(w === 1 ? tokens[k]! : tokens.slice(k, k + w).join(' '));
    }
    return grams;
  }

  /** The token lists of a batch: a list of strings, or (Keras' `[["text"], ...]`) a list of one-string lists. */
  private preprocessAll(method: string, texts: readonly string[] | readonly (readonly string[])[]): string[][] {
    if (!Array.isArray(texts)) {
      throw new Error(`${OWNER}.${method}: expected a list of strings, got ${texts === null ? 'null' : typeof texts === 'string' ? 'a string (wrap it in a list)' : typeof texts}`);
    }
    return texts.map((t: unknown, i) => {
      let text = t;
      if (Array.isArray(t)) {
        if (t.length !== 1) {
          throw new Error(`${OWNER}.${method}: text ${i} is a list of ${t.length} strings; give one string per text (a list, or lists of exactly one string as Keras' [batch, 1])`);
        }
        text = t[0];
      }
      if (typeof text !== 'string') throw new Error(`${OWNER}.${method}: text ${i} is ${text === null ? 'null' : typeof text}, expected a string`);
      return this.preprocess(text, method, i);
    });
  }

  /** The id of each token: its vocabulary index, 1 (`'[UNK]'`) when unknown, 0 for the padding token `''`. */
  private lookup(token: string): number {
    if (token === MASK_TOKEN) return this.outputMode === 'int' ? 0 : -1;
    return this.index.get(token) ?? (this.outputMode === 'int' ? 1 : 0);
  }

  /**
   * Vectorizes a batch of texts.
   * - `'int'`: int32 `[batch, length]` ids, padded with 0 at the end (or truncated) to `outputSequenceLength`,
   *   else to the longest text of the batch.
   * - `'multi_hot'` / `'count'` / `'tf_idf'`: float32 `[batch, vocabularySize()]` (or `maxTokens` wide with
   *   `padToMaxTokens`), slot 0 counting out-of-vocabulary tokens.
   */
  call(texts: readonly string[] | readonly (readonly string[])[]): Tensor {
    if (!this.ready) {
      throw new Error(`${OWNER}.call: no vocabulary yet; call adapt(texts) first or pass { vocabulary } to the constructor`);
    }
    const rows = this.preprocessAll('call', texts);
    const batch = rows.length;
    if (this.outputMode === 'int') {
      const length = this.outputSequenceLength ?? rows.reduce((m, r) => Math.max(m, r.length), 0);
      const ids = new Int32Array(batch * length);
      rows.forEach((tokens, b) => {
        const n = Math.min(tokens.length, length);
        for (let k = 0; k < n; k++) ids[b * length + k] = this.lookup(tokens[k]!);
      });
      return new Tensor(ids, [batch, length]);
    }
    const depth = this.depth;
    const out = new Float32Array(batch * depth);
    rows.forEach((tokens, b) => {
      for (const t of tokens) {
        const id = this.lookup(t);
        if (id < 0) continue; // the padding token '' is dropped from counts (Keras)
        const o = b * depth + id;
        out[o] = this.outputMode === 'multi_hot' ? 1 : out[o]! + 1;
      }
    });
    if (this.outputMode === 'tf_idf') {
      const idf = this.idf!;
      for (let i = 0; i < out.length; i++) if (out[i] !== 0) out[i] = out[i]! * idf[i % depth]!;
    }
    return new Tensor(out, [batch, depth]);
  }

  /** The TF-IDF weights per output slot (`'tf_idf'` mode after `adapt` or with `idfWeights`), else null. */
  getIdfWeights(): number[] | null {
    return this.idf ? Array.from(this.idf) : null;
  }

  /**
   * The options with the current vocabulary (and IDF weights), JSON-ready: `TextVectorization.fromConfig`
   * rebuilds an equal vectorizer. Keras keeps an adapted vocabulary in an asset file instead; here it is in the
   * config. A function `standardize` / `split` cannot be written down, so it is an error.
   */
  getConfig(): TextVectorizationConfig {
    if (typeof this.standardize === 'function' || typeof this.split === 'function') {
      throw new Error(`${OWNER}.getConfig: a function standardize or split cannot be saved; recreate the vectorizer in code and use setVocabulary(getVocabulary())`);
    }
    return {
      maxTokens: this.maxTokens,
      standardize: this.standardize,
      split: this.split,
      ngrams: Array.isArray(this.ngramsArg) ? [...this.ngramsArg] : this.ngramsArg,
      outputMode: this.outputMode,
      outputSequenceLength: this.outputSequenceLength,
      padToMaxTokens: this.padToMaxTokens,
      vocabulary: this.ready ? this.getVocabulary() : null,
      idfWeights: this.ready && this.idf ? Array.from(this.idf.subarray(0, this.vocabularySize())) : null,
      vocabularySize: this.vocabularySize(),
    };
  }

  /** Rebuilds a vectorizer from `getConfig()` (camelCase keys; `vocabularySize` is informative). */
  static fromConfig(config: Partial<TextVectorizationConfig> & { name?: string }): TextVectorization {
    for (const key of Object.keys(config)) {
      if (!CONFIG_KEYS.includes(key)) throw new Error(`${OWNER}.fromConfig: unknown key '${key}'${didYouMean(key, CONFIG_KEYS)}`);
    }
    const { vocabularySize: _size, name: _name, ...args } = config;
    return new TextVectorization(args);
  }
}
