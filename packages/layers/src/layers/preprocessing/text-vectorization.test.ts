// TextVectorization against the exact outputs of Keras 3's docstring and text_vectorization_test.py, the
// vocabulary rules of index_lookup.py (count order, ties by token high to low, maxTokens counting the special
// tokens, TF-IDF weights), and edge cases: empty texts, Unicode, errors.
import { describe, expect, it } from 'vitest';
import { TextVectorization } from './text-vectorization';
import { layers } from '../../index';

const ids = (t: { arraySync(): unknown }) => t.arraySync();

describe('TextVectorization: Keras 3 examples', () => {
  it('docstring adapt example: vocabulary by count, ties high to low; padded with 0 at the end', () => {
    const v = new TextVectorization({ maxTokens: 5000, outputMode: 'int', outputSequenceLength: 4 });
    v.adapt(['foo bar', 'bar baz', 'baz bada boom']);
    expect(v.getVocabulary()).toEqual(['', '[UNK]', 'baz', 'bar', 'foo', 'boom', 'bada']);
    const out = v.call([['foo qux bar'], ['qux baz']]);
    expect(out.dtype).toBe('int32');
    expect(ids(out)).toEqual([[4, 1, 3, 0], [1, 2, 0, 0]]);
    expect(ids(v.call(['foo qux bar', 'qux baz']))).toEqual([[4, 1, 3, 0], [1, 2, 0, 0]]);
  });

  it('docstring vocabulary example, fixed vocabulary and setVocabulary', () => {
    const v = new TextVectorization({ maxTokens: 5000, outputSequenceLength: 4, vocabulary: ['earth', 'wind', 'and', 'fire'] });
    expect(v.getVocabulary()).toEqual(['', '[UNK]', 'earth', 'wind', 'and', 'fire']);
    expect(v.vocabularySize()).toBe(6);
    const fixed = new TextVectorization({ maxTokens: 5000, outputSequenceLength: 4, vocabulary: ['baz', 'bar', 'foo'] });
    expect(ids(fixed.call([['foo qux bar'], ['qux baz']]))).toEqual([[4, 1, 3, 0], [1, 2, 0, 0]]);
    const set = new TextVectorization({ maxTokens: 5000, outputSequenceLength: 4 });
    set.setVocabulary(['baz', 'bar', 'foo']);
    expect(ids(set.call([['foo qux bar'], ['qux baz']]))).toEqual([[4, 1, 3, 0], [1, 2, 0, 0]]);
    // Leading special tokens are recognised and skipped.
    expect(new TextVectorization({ vocabulary: ['', '[UNK]', 'baz', 'bar', 'foo'] }).getVocabulary()).toEqual(['', '[UNK]', 'baz', 'bar', 'foo']);
  });

  it('without outputSequenceLength, rows are padded to the longest text of the batch', () => {
    const v = new TextVectorization({ vocabulary: ['baz', 'bar', 'foo'] });
    expect(ids(v.call([['foo qux bar'], ['qux baz'], ['foo']]))).toEqual([[4, 1, 3], [1, 2, 0], [4, 0, 0]]);
    const short = new TextVectorization({ vocabulary: ['baz', 'bar', 'foo'], outputSequenceLength: 2 });
    expect(ids(short.call([['foo qux bar'], ['qux baz'], ['foo']]))).toEqual([[4, 1], [1, 2], [4, 0]]);
  });

  it('multi_hot, count and tf_idf outputs (slot 0 counts OOV tokens)', () => {
    const mh = new TextVectorization({ outputMode: 'multi_hot', vocabulary: ['foo', 'bar', 'baz'] });
    const out = mh.call([['foo bar'], ['baz foo foo']]);
    expect(out.dtype).toBe('float32');
    expect(ids(out)).toEqual([[0, 1, 1, 0], [0, 1, 0, 1]]);
    expect(mh.getVocabulary()).toEqual(['[UNK]', 'foo', 'bar', 'baz']);
    const count = new TextVectorization({ outputMode: 'count', vocabulary: ['foo', 'bar', 'baz'] });
    expect(ids(count.call(['foo bar', 'baz foo foo']))).toEqual([[0, 1, 1, 0], [0, 2, 0, 1]]);
    const tfidf = new TextVectorization({ outputMode: 'tf_idf', vocabulary: ['foo', 'bar', 'baz'], idfWeights: [0.3, 0.5, 0.2] });
    const w = tfidf.call(['foo bar', 'baz foo foo']).arraySync() as number[][];
    const want = [[0, 0.3, 0.5, 0], [0, 0.6, 0, 0.2]];
    for (let r = 0; r < 2; r++) for (let c = 0; c < 4; c++) expect(w[r]![c]).toBeCloseTo(want[r]![c]!, 6);
    // The OOV slot gets the mean weight when the vocabulary has no special tokens (Keras' front padding).
    expect(tfidf.getIdfWeights()![0]).toBeCloseTo((0.3 + 0.5 + 0.2) / 3, 12);
    const padded = new TextVectorization({ outputMode: 'multi_hot', vocabulary: ['foo', 'bar'], maxTokens: 8, padToMaxTokens: true });
    expect(padded.call(['foo bar']).shape).toEqual([1, 8]);
    expect(ids(padded.call(['foo bar zap']))).toEqual([[1, 1, 1, 0, 0, 0, 0, 0]]);
  });

  it('tf_idf adapt: idf = log(1 + docs / (1 + docs with the token)), OOV = mean (float64 reference)', () => {
    const v = new TextVectorization({ maxTokens: 100, outputMode: 'tf_idf' });
    const docs = ['foo bar', 'bar baz', 'baz bada boom'];
    v.adapt(docs);
    expect(v.getVocabulary()).toEqual(['[UNK]', 'baz', 'bar', 'foo', 'boom', 'bada']);
    const docCount: Record<string, number> = { baz: 2, bar: 2, foo: 1, boom: 1, bada: 1 };
    const idf = ['baz', 'bar', 'foo', 'boom', 'bada'].map((t) => Math.log(1 + 3 / (1 + docCount[t]!)));
    const mean = idf.reduce((s, x) => s + x, 0) / idf.length;
    const want = [mean, ...idf];
    const got = v.getIdfWeights()!;
    expect(got.length).toBe(6);
    got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 12));
    const out = v.call(['foo foo zap', 'bada']).arraySync() as number[][];
    const expected = [[mean, 0, 0, 2 * want[3]!, 0, 0], [0, 0, 0, 0, 0, want[5]!]];
    for (let r = 0; r < 2; r++) for (let c = 0; c < 6; c++) expect(out[r]![c]).toBeCloseTo(expected[r]![c]!, 5);
  });

  it('standardize: lower_and_strip_punctuation, lower, strip_punctuation, null, a function', () => {
    const las = new TextVectorization({ vocabulary: ['hello', 'world', 'this', 'is', 'nice', 'test'] });
    expect(ids(las.call(['Hello, World!. This is just a nice test!']))).toEqual([[2, 3, 4, 5, 1, 1, 6, 7]]);
    const lower = new TextVectorization({ standardize: 'lower', vocabulary: ['hello,', 'hello', 'world', 'this', 'is', 'nice', 'test'] });
    expect(ids(lower.call(['Hello, World!. This is just a nice test!']))).toEqual([[2, 1, 5, 6, 1, 1, 7, 1]]);
    const strip = new TextVectorization({ standardize: 'strip_punctuation', vocabulary: ['Hello', 'World', 'Test'] });
    expect(ids(strip.call(['Hello, World! Test.']))).toEqual([[2, 3, 4]]);
    const none = new TextVectorization({ standardize: null, vocabulary: ['Hello', 'world'] });
    expect(ids(none.call(['Hello hello']))).toEqual([[2, 1]]);
    const custom = new TextVectorization({ standardize: (t) => t.replaceAll('-', ' '), vocabulary: ['foo', 'bar'] });
    expect(ids(custom.call(['foo-bar']))).toEqual([[2, 3]]);
    // Every ASCII punctuation character goes; letters, digits and non-ASCII stay. Lowercasing is ASCII-only.
    const v = new TextVectorization({ split: null, vocabulary: ['x'] });
    expect(v.tokenize(`A!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~Z 9 ÉTÉ «q»`)).toEqual(['az 9 ÉtÉ «q»']);
  });

  it('split: character (code points), a function, null', () => {
    const chars = new TextVectorization({ split: 'character', vocabulary: ['a', 'b', 'c', 'd', 'e'] });
    expect(ids(chars.call(['abcf']))).toEqual([[2, 3, 4, 1]]);
    // Keras' test: the default standardize strips '|' before the custom split sees the text.
    const custom = new TextVectorization({ split: (t) => t.split('|'), vocabulary: ['foo', 'bar', 'foobar'] });
    expect(ids(custom.call(['foo|bar']))).toEqual([[4]]);
    const whole = new TextVectorization({ split: null, vocabulary: ['foo', 'bar', 'baz'] });
    expect(ids(whole.call([['foo'], ['bar'], ['unknown']]))).toEqual([[2], [3], [1]]);
    const emoji = new TextVectorization({ split: 'character', standardize: null });
    emoji.adapt(['😀a😀', 'é']);
    expect(emoji.getVocabulary()).toEqual(['', '[UNK]', '😀', 'é', 'a']);
    expect(ids(emoji.call(['a😀é']))).toEqual([[4, 2, 3]]);
  });

  it('ngrams: an integer means 1..n, a list exactly those widths; each width in turn', () => {
    const two = new TextVectorization({ ngrams: 2 });
    two.adapt(['foo bar baz']);
    expect(two.tokenize('foo bar baz')).toEqual(['foo', 'bar', 'baz', 'foo bar', 'bar baz']);
    expect(two.getVocabulary()).toEqual(['', '[UNK]', 'foo bar', 'foo', 'baz', 'bar baz', 'bar']);
    const oneThree = new TextVectorization({ ngrams: [1, 3] });
    oneThree.adapt(['foo bar baz']);
    expect(oneThree.getVocabulary()).toContain('foo bar baz');
    expect(oneThree.getVocabulary()).not.toContain('foo bar');
    expect(oneThree.tokenize('a b')).toEqual(['a', 'b']); // too short for a trigram
  });

  it('maxTokens counts the special tokens: int keeps maxTokens - 2, other modes maxTokens - 1', () => {
    const v = new TextVectorization({ maxTokens: 5 });
    v.adapt(['a b c d e f g h i j']);
    expect(v.getVocabulary()).toEqual(['', '[UNK]', 'j', 'i', 'h']); // all counts 1: ties high to low
    const mh = new TextVectorization({ maxTokens: 3, outputMode: 'multi_hot' });
    mh.adapt(['x y y z z z', 'y y']);
    expect(mh.getVocabulary()).toEqual(['[UNK]', 'y', 'z']);
    expect(ids(mh.call(['x z']))).toEqual([[1, 0, 1]]);
    expect(v.getVocabulary(false)).toEqual(['j', 'i', 'h']);
  });
});

describe('TextVectorization: edge cases', () => {
  it('empty texts, whitespace runs, the padding and OOV tokens in the data', () => {
    const v = new TextVectorization({ standardize: null });
    v.adapt(['  a \t b\n\na ', '', '[UNK] a']);
    expect(v.getVocabulary()).toEqual(['', '[UNK]', 'a', 'b']); // '[UNK]' is never learned
    expect(ids(v.call(['', 'b  a', '']))).toEqual([[0, 0], [3, 2], [0, 0]]);
    expect(v.call(['', '']).shape).toEqual([2, 0]);
    expect(v.call([]).shape).toEqual([0, 0]);
    // With split null an empty text is the padding token itself: id 0, dropped from multi-hot counts.
    const whole = new TextVectorization({ split: null, outputMode: 'count', vocabulary: ['a'] });
    expect(ids(whole.call(['', 'a', 'q']))).toEqual([[0, 0], [0, 1], [1, 0]]);
    // A non-breaking space is not ASCII whitespace (tf.strings.split).
    expect(v.tokenize('a\u00a0b c')).toEqual(['a\u00a0b', 'c']);
  });

  it('ties are broken by code point (UTF-8 byte order), not by UTF-16 units', () => {
    const v = new TextVectorization({ split: 'character', standardize: null });
    v.adapt(['\uffee😀']); // U+FFEE < U+1F600, but as UTF-16 0xFFEE > 0xD83D
    expect(v.getVocabulary(false)).toEqual(['😀', '\uffee']);
  });

  it('getConfig / fromConfig round trip with the adapted vocabulary', () => {
    const v = new TextVectorization({ maxTokens: 10, ngrams: [1, 2], outputMode: 'tf_idf' });
    v.adapt(['the cat sat', 'the dog sat down', 'a cat']);
    const config = JSON.parse(JSON.stringify(v.getConfig()));
    expect(config).toMatchObject({ maxTokens: 10, standardize: 'lower_and_strip_punctuation', split: 'whitespace', ngrams: [1, 2], outputMode: 'tf_idf', vocabularySize: 10 });
    const w = TextVectorization.fromConfig(config);
    expect(w.getVocabulary()).toEqual(v.getVocabulary());
    expect(w.call(['the cat', 'zebra sat']).arraySync()).toEqual(v.call(['the cat', 'zebra sat']).arraySync());
    expect(() => new TextVectorization({ split: (t) => [t] }).getConfig()).toThrow(/function standardize or split cannot be saved/);
  });

  it('is reachable as layers.TextVectorization and is not a Layer (it never enters a model)', () => {
    expect(layers.TextVectorization).toBe(TextVectorization);
    expect(new TextVectorization()).not.toHaveProperty('apply');
  });

  it('bad options and inputs give errors naming the option', () => {
    expect(() => new TextVectorization({ maxTokens: 0 })).toThrow('TextVectorization: maxTokens must be null or a positive integer, got 0');
    expect(() => new TextVectorization({ maxTokens: 2 })).toThrow(/maxTokens 2 leaves no room for a token after the 2 special token\(s\) of outputMode 'int'; give at least 3/);
    expect(() => new TextVectorization({ standardize: 'upper' as never })).toThrow(/standardize must be one of 'lower_and_strip_punctuation', 'lower', 'strip_punctuation', null or a function, got "upper"/);
    expect(() => new TextVectorization({ split: 'word' as never })).toThrow(/split must be 'whitespace', 'character', null or a function/);
    expect(() => new TextVectorization({ outputMode: 'one_hot' as never })).toThrow(/outputMode must be 'int', 'multi_hot', 'count' or 'tf_idf', got "one_hot"/);
    expect(() => new TextVectorization({ ngrams: 0 })).toThrow(/ngrams must be null, a positive integer/);
    expect(() => new TextVectorization({ outputMode: 'count', outputSequenceLength: 4 })).toThrow(/outputSequenceLength applies to outputMode 'int' only/);
    expect(() => new TextVectorization({ maxToken: 5 } as never)).toThrow("TextVectorization: unknown option 'maxToken' (did you mean 'maxTokens'?)");
    expect(() => new TextVectorization({ padToMaxTokens: true, outputMode: 'count' })).toThrow(/padToMaxTokens needs maxTokens/);
    expect(() => new TextVectorization({ vocabulary: ['a', 'b', 'a'] })).toThrow(/the vocabulary repeats "a"/);
    expect(() => new TextVectorization({ vocabulary: ['a', ''] })).toThrow(/holds the padding token '' at index 1/);
    expect(() => new TextVectorization({ vocabulary: [] })).toThrow(/the vocabulary is empty/);
    expect(() => new TextVectorization({ maxTokens: 4, vocabulary: ['a', 'b', 'c'] })).toThrow(/5 entries with the special tokens, more than maxTokens 4/);
    expect(() => new TextVectorization({ outputMode: 'tf_idf', vocabulary: ['a'] })).toThrow(/needs idfWeights too/);
    expect(() => new TextVectorization({ vocabulary: ['a'], idfWeights: [1] })).toThrow(/idfWeights apply to outputMode 'tf_idf' only/);
    expect(() => new TextVectorization({ outputMode: 'tf_idf', vocabulary: ['a', 'b'], idfWeights: [1] })).toThrow(/idfWeights must be 2 finite numbers/);
    expect(() => new TextVectorization().call(['a'])).toThrow('TextVectorization.call: no vocabulary yet; call adapt(texts) first or pass { vocabulary } to the constructor');
    const fixed = new TextVectorization({ vocabulary: ['a'] });
    expect(() => fixed.adapt(['a'])).toThrow(/was given a fixed vocabulary/);
    const v = new TextVectorization();
    expect(() => v.adapt([])).toThrow('TextVectorization.adapt: needs at least one text, got an empty list');
    expect(() => v.adapt('some text' as never)).toThrow('TextVectorization.adapt: expected a list of strings, got a string (wrap it in a list)');
    expect(() => v.adapt(['ok', 3 as never])).toThrow('TextVectorization.adapt: text 1 is number, expected a string');
    expect(() => v.adapt([['a', 'b']])).toThrow(/text 0 is a list of 2 strings/);
    const badSplit = new TextVectorization({ split: () => 'ab' as never, vocabulary: ['a'] });
    expect(() => badSplit.call(['ab'])).toThrow(/the split function must return a list of strings, got "ab" for text 0/);
  });
});
