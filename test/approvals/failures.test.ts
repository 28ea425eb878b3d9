/**
 * Dependencies failing: SMTP down keeps the request and says so; Firestore
 * down answers 503 naming Firestore and sends nothing.
 */
import {ChildProcess, spawn} from 'node:child_process';
import * as path from 'node:path';
import {freePort} from '../../sandbox/firestore-emulator';
import {
  ALICE,
  Harness,
  REQUEST_PATH,
  requestBody,
  startHarness,
  startSmtpCapture,
  SmtpCapture,
} from './harness';

describe('SMTP down', () => {
  let h: Harness;
  let port: number;
  let late: SmtpCapture | undefined;

  beforeAll(async () => {
    port = await freePort();
    h = await startHarness({smtpPort: port});
  });
  afterAll(async () => {
    await late?.close();
    await h.close();
  });

  it('keeps the request, answers 201 with delivered: false, logs it, and remind sends the mail again', async () => {
    const res = await h.post(REQUEST_PATH, ALICE, requestBody()).expect(201);
    expect(res.body.state).toBe('PENDING');
    expect(res.body.notification).toEqual({
      delivered: false,
      error: expect.stringMatching(/could not be sent/),
    });
    const stored = await h
      .get(`/api/requests/${res.body.id}`, ALICE)
      .expect(200);
    expect(stored.body.notification).toEqual(res.body.notification);
    expect(
      h.log.lines.some(
        l => l.includes('"event":"mail.failed"') && l.includes(res.body.id),
      ),
    ).toBe(true);

    late = await startSmtpCapture(port);
    const reminded = await h
      .post(`/api/requests/${res.body.id}/remind`, ALICE)
      .expect(200);
    expect(reminded.body.notification).toEqual({delivered: true});
    expect(late.mails).toHaveLength(1);
    expect(late.mails[0]!.parsed.html).toContain(`/requests/${res.body.id}`);
    expect(
      (await h.get(`/api/requests/${res.body.id}`, ALICE)).body.notification,
    ).toEqual({delivered: true});
  });
});

describe('Firestore down', () => {
  // In a child process: the Firestore client keeps retrying an unreachable
  // server for minutes after we have answered, which would hold jest open.
  it('answers 503 naming Firestore and sends no mail', async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      [
        '-r',
        path.join(__dirname, 'child', 'ts-register.js'),
        path.join(__dirname, 'child', 'firestore-down.ts'),
      ],
      {
        cwd: path.join(__dirname, '..', '..'),
        env: {...process.env, METADATA_SERVER_DETECTION: 'none'},
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise(resolve => child.once('exit', resolve));
    const result = JSON.parse(out.trim().split('\n').pop()!);
    expect(result.status).toBe(503);
    expect(result.body.error).toMatchObject({
      code: 503,
      status: 'UNAVAILABLE',
      message: expect.stringMatching(/Firestore/),
    });
    expect(result.mails).toBe(0);
  }, 30_000);
});
