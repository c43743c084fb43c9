import { describe, expect, it } from 'vitest';
import { createRecordKnowledge } from './record-knowledge.ts';

const id = (n: number) => n.toString(16).padStart(64, '0');
const [alice, bob, carol] = [id(1), id(2), id(3)];
const subject = id(100);

describe('record knowledge', () => {
  it('remembers the newest verified seq, and which links have it', () => {
    const knowledge = createRecordKnowledge(16);
    for (const link of [alice, bob, carol]) knowledge.linkOpened(link);
    expect(knowledge.seqOf(subject)).toBe(0);
    knowledge.noteVerified(alice, subject, 5);
    knowledge.noteCopy(bob, subject, 5);
    expect(knowledge.seqOf(subject)).toBe(5);
    expect([alice, bob, carol].map((link) => knowledge.linkHas(link, subject, 5))).toEqual([true, true, false]);
    expect(knowledge.linkHas(alice, subject, 4), 'a link with seq 5 has what seq 4 said').toBe(true);
    expect(knowledge.linkHas(alice, subject, 6)).toBe(false);
    knowledge.noteVerified(carol, subject, 7);
    expect([alice, bob, carol].map((link) => knowledge.linkHas(link, subject, 7)), 'a newer seq: only its sender has it').toEqual([false, false, true]);
    knowledge.noteVerified(alice, subject, 5);
    expect([knowledge.seqOf(subject), knowledge.linkHas(alice, subject, 5)], 'an older verified seq changes nothing').toEqual([7, false]);
  });

  it('takes an unverified seq only as a copy of the verified one: a forged seq neither hides records nor marks links', () => {
    const knowledge = createRecordKnowledge(16);
    knowledge.linkOpened(alice);
    knowledge.linkOpened(bob);
    knowledge.noteVerified(alice, subject, 5);
    knowledge.noteCopy(bob, subject, 2 ** 40);
    expect(knowledge.seqOf(subject)).toBe(5);
    expect(knowledge.linkHas(bob, subject, 5)).toBe(false);
    knowledge.noteCopy(bob, id(101), 9);
    expect(knowledge.seqOf(id(101)), 'nothing verified of that peer').toBe(0);
  });

  it('forgets what a closed link had, so the next link in its slot starts knowing nothing', () => {
    const knowledge = createRecordKnowledge(16);
    knowledge.linkOpened(alice);
    knowledge.noteVerified(alice, subject, 5);
    knowledge.linkClosed(alice);
    knowledge.linkOpened(bob); // takes alice's freed slot
    expect(knowledge.linkHas(bob, subject, 5)).toBe(false);
    expect(knowledge.linkHas(alice, subject, 5), 'a closed link has no bit').toBe(false);
    expect(knowledge.seqOf(subject), 'the verified seq outlives the link').toBe(5);
    knowledge.noteVerified(bob, subject, 5);
    knowledge.forgetLink(bob);
    expect(knowledge.linkHas(bob, subject, 5), 'forgetLink (a GET_PEERS answer resends all)').toBe(false);
  });

  it('gives 32 links a bit each; a link beyond them is sent everything rather than nothing', () => {
    const knowledge = createRecordKnowledge(16);
    const links = Array.from({ length: 33 }, (_, i) => id(1_000 + i));
    for (const link of links) knowledge.linkOpened(link);
    for (const link of links) knowledge.noteVerified(link, subject, 5);
    expect(links.slice(0, 32).every((link) => knowledge.linkHas(link, subject, 5))).toBe(true);
    expect(knowledge.linkHas(links[32]!, subject, 5)).toBe(false);
    knowledge.linkClosed(links[31]!);
    knowledge.linkOpened(id(2_000));
    knowledge.noteVerified(id(2_000), subject, 5);
    expect(knowledge.linkHas(id(2_000), subject, 5), 'a freed slot is reused').toBe(true);
  });

  it('is bounded: the peer heard of longest ago is forgotten first', () => {
    const knowledge = createRecordKnowledge(2);
    knowledge.linkOpened(alice);
    knowledge.noteVerified(alice, id(7), 1);
    knowledge.noteVerified(alice, id(8), 1);
    knowledge.noteVerified(alice, id(9), 1);
    expect([7, 8, 9].map((n) => knowledge.seqOf(id(n)))).toEqual([0, 1, 1]);
  });
});
