// Failed sends stay visible until the user acts. Postfix rejects an unknown recipient (550),
// and the message then shows in `sealpost outbox` and the MailApi with its reason. `sync`
// mentions it, retry sends it again, and only an explicit discard removes it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchMailApi } from '@sealpost/ui';
import type { OutboxEntryView } from '@sealpost/ui';
import type { AppSession } from '../../src/core/app-session.ts';
import { createMailApiHandlers } from '../../src/core/mail-api-handlers.ts';
import { addCliUser, runSealpost, type CliUser } from '../cli/cli-runner.ts';
import { createUser, uniqueAddress, type TestUser } from '../e2e/stack.ts';

/** Returns an address the stack does not know, so Postfix rejects it at RCPT time for good. */
function unknownRecipient(): string {
  return `nobody-${uniqueAddress('missing').split('@')[0]!}@sealpost.test`;
}

describe('outbox through the MailApi', () => {
  let alice: TestUser;

  beforeAll(async () => {
    alice = await createUser('alice');
  });

  afterAll(() => alice?.close());

  it('keeps a refused message until discarded', async () => {
    const recipient = unknownRecipient();
    const attempt = alice.sealpost.mail.send({
      from: null,
      to: [recipient],
      cc: [],
      bcc: [],
      subject: 'To nobody',
      text: 'This recipient does not exist.',
      attachments: [],
      allowPlaintext: true,
    });
    await expect(attempt).rejects.toMatchObject({ code: 'SMTP_RECIPIENT_REJECTED' });

    // The handlers only need the unlocked core from the session.
    const session = { require: () => alice.sealpost } as unknown as AppSession;
    const handlers = createMailApiHandlers(session, () => undefined);

    const listed = await dispatchMailApi(handlers, 'outbox:list', undefined);
    expect(listed.ok).toBe(true);
    if (!listed.ok) return;
    const entries = listed.value as OutboxEntryView[];
    expect(entries).toHaveLength(1);
    const entry = entries[0]!;
    expect(entry.state).toBe('failed');
    expect(entry.to).toEqual([recipient]);
    expect(entry.subject).toBe('To nobody');
    expect(entry.attempts).toBe(1);
    expect(entry.lastError).toMatch(/^SMTP_RECIPIENT_REJECTED: /);
    expect(entry.nextAttemptAt).toBeNull();
    expect(alice.sealpost.mail.outboxFailedCount()).toBe(1);

    // A sync neither sends nor drops a message that failed for good.
    await alice.sealpost.mail.sync({ account: null });
    expect(alice.sealpost.mail.listOutbox().map((queued) => queued.id)).toEqual([entry.id]);

    const retried = await dispatchMailApi(handlers, 'outbox:retry', { id: entry.id });
    expect(retried).toMatchObject({ ok: false, error: { code: 'SMTP_RECIPIENT_REJECTED' } });
    const [afterRetry] = alice.sealpost.mail.listOutbox();
    expect(afterRetry!.state).toBe('failed');
    expect(afterRetry!.attempts).toBe(2);

    const unconfirmed = await dispatchMailApi(handlers, 'outbox:discard', { id: entry.id });
    expect(unconfirmed).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(alice.sealpost.mail.listOutbox()).toHaveLength(1);

    const discarded = await dispatchMailApi(handlers, 'outbox:discard', {
      id: entry.id,
      confirm: true,
    });
    expect(discarded).toEqual({ ok: true, value: { discarded: true } });
    expect(alice.sealpost.mail.listOutbox()).toEqual([]);

    const again = await dispatchMailApi(handlers, 'outbox:discard', {
      id: entry.id,
      confirm: true,
    });
    expect(again).toMatchObject({ ok: false, error: { code: 'OUTBOX_ENTRY_NOT_FOUND' } });
  });
});

describe('sealpost outbox', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sealpost-outbox-cli-'));
  const user: CliUser = { address: uniqueAddress('outbox-cli'), home: path.join(work, 'home') };
  const passphraseFile = path.join(work, 'passphrase');
  const unlock = ['--passphrase-file', passphraseFile];
  const cli = (args: string[], input?: string) =>
    runSealpost(user.home, [...unlock, ...args], input);

  beforeAll(async () => {
    writeFileSync(passphraseFile, 'outbox cli passphrase\n');
    await addCliUser(user, work, unlock);
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('lists, retries and discards a refused message', async () => {
    const empty = await cli(['outbox']);
    expect(empty.stdout).toBe('The outbox is empty.\n');

    const recipient = unknownRecipient();
    const sent = await cli(
      ['send', '--to', recipient, '--subject', 'To nobody', '--allow-plaintext'],
      'This recipient does not exist.\n',
    );
    expect(sent.status).toBe(1);
    expect(sent.stderr).toMatch(/SMTP_RECIPIENT_REJECTED/);
    expect(sent.stderr).toMatch(/stays in the outbox as failed/);
    expect(sent.stderr).toContain(
      'It is outbox entry 1: send it again with "sealpost outbox retry 1"',
    );
    expect(sent.stderr).toContain('"sealpost outbox discard 1 --yes"');

    const listed = await cli(['outbox']);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(`^1\\tfailed\\t1 attempt\\(s\\)\\t.* -> ${recipient}`),
    );
    expect(listed.stdout).toContain(`-> ${recipient}\tTo nobody\tqueued `);
    expect(listed.stdout).toMatch(/last error: SMTP_RECIPIENT_REJECTED: /);
    expect(listed.stdout).toContain('sealpost outbox retry ID');

    const json = await cli(['outbox', '--json']);
    const entries = JSON.parse(json.stdout) as Array<{ id: number; state: string }>;
    expect(entries).toMatchObject([{ id: 1, state: 'failed' }]);

    const synced = await cli(['sync']);
    expect(synced.status).toBe(0);
    expect(synced.stdout).toContain(
      '1 message(s) in the outbox failed and are not retried automatically; see "sealpost outbox".',
    );

    const retried = await cli(['outbox', 'retry', '1']);
    expect(retried.status).toBe(1);
    expect(retried.stderr).toMatch(/SMTP_RECIPIENT_REJECTED/);
    expect((await cli(['outbox'])).stdout).toMatch(/^1\tfailed\t2 attempt\(s\)/);

    const unconfirmed = await cli(['outbox', 'discard', '1']);
    expect(unconfirmed.status).toBe(1);
    expect(unconfirmed.stderr).toMatch(/CONFIRMATION_REQUIRED: .*add --yes/);

    const badId = await cli(['outbox', 'discard', 'one', '--yes']);
    expect(badId.stderr).toMatch(/INVALID_ARGUMENT: Invalid outbox entry id "one"/);

    const discarded = await cli(['outbox', 'discard', '1', '--yes']);
    expect(discarded.status).toBe(0);
    expect(discarded.stdout).toBe('Discarded outbox entry 1; it was not sent.\n');
    expect((await cli(['outbox'])).stdout).toBe('The outbox is empty.\n');
    expect((await cli(['sync'])).stdout).not.toContain('failed');
  }, 300_000);
});
