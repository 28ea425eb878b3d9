/**
 * An in-process SMTP server for the mail tests: it accepts any sender,
 * records each mail with its envelope, the name the client gave in EHLO and
 * whether the session was upgraded to TLS. STARTTLS is off unless the options
 * turn it on (smtp-server then presents its built-in self-signed certificate).
 */
import {AddressInfo} from 'node:net';
import {simpleParser, ParsedMail} from 'mailparser';
import {SMTPServer, SMTPServerOptions} from 'smtp-server';

export interface ReceivedMail {
  mail: ParsedMail;
  rcptTo: string[];
  /** The name the client gave in EHLO/HELO. */
  ehloName: string;
  secure: boolean;
}

export async function startMailServer(options: SMTPServerOptions = {}) {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    ...options,
    onData(stream, session, callback) {
      simpleParser(stream).then(mail => {
        mails.push({
          mail,
          rcptTo: session.envelope.rcptTo.map(r => r.address),
          ehloName: session.hostNameAppearsAs,
          secure: session.secure,
        });
        callback();
      }, callback);
    },
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}
