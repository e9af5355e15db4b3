/**
 * A small STARTTLS responder for the `puretls s_client -starttls` rows: a node:net server on
 * 127.0.0.1 that speaks the plaintext part of SMTP (RFC 3207), IMAP (RFC 3501 §6.2.1), POP3
 * (RFC 2595 §4), FTP (RFC 4217) or XMPP (RFC 6120 §5.4) up to the server's go-ahead, and then
 * splices the connection to an `openssl s_server`, which does the TLS handshake. It records the
 * commands the client sent, so a row can assert the exchange as well as the handshake.
 *
 * @module
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export type StartTlsProtocol = 'smtp' | 'imap' | 'pop3' | 'ftp' | 'xmpp';

export interface RunningResponder {
  readonly port: number;
  /** The plaintext lines (or XML) the client sent before the go-ahead. */
  commands(): readonly string[];
  stop(): Promise<void>;
}

/** What the server answers to each client line, and which answer hands over to TLS. */
function dialog(protocol: StartTlsProtocol): { greeting: string; answer(line: string): { reply: string; tls: boolean } } {
  switch (protocol) {
    case 'smtp':
      return {
        greeting: '220 mail.test ESMTP puretls-responder\r\n',
        answer: (line) =>
          /^EHLO /i.test(line)
            ? { reply: '250-mail.test greets you\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n', tls: false }
            : /^STARTTLS$/i.test(line)
              ? { reply: '220 2.0.0 Ready to start TLS\r\n', tls: true }
              : { reply: '502 5.5.2 command not recognized\r\n', tls: false },
      };
    case 'ftp':
      return {
        greeting: '220-puretls responder\r\n220 FTP ready\r\n',
        answer: (line) => (/^AUTH TLS$/i.test(line) ? { reply: '234 AUTH TLS successful\r\n', tls: true } : { reply: '500 unknown command\r\n', tls: false }),
      };
    case 'pop3':
      return {
        greeting: '+OK POP3 ready\r\n',
        answer: (line) => (/^STLS$/i.test(line) ? { reply: '+OK Begin TLS negotiation\r\n', tls: true } : { reply: '-ERR unknown command\r\n', tls: false }),
      };
    case 'imap':
      return {
        greeting: '* OK IMAP4rev1 ready\r\n',
        answer: (line) => {
          const [tag, command] = line.split(' ');
          if (/^CAPABILITY$/i.test(command ?? '')) return { reply: `* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n${tag} OK CAPABILITY completed\r\n`, tls: false };
          if (/^STARTTLS$/i.test(command ?? '')) return { reply: `${tag} OK Begin TLS negotiation now\r\n`, tls: true };
          return { reply: `${tag} BAD unknown command\r\n`, tls: false };
        },
      };
    case 'xmpp':
      return {
        greeting: '',
        answer: (text) =>
          text.includes('<stream:stream')
            ? {
                reply:
                  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='1' from='test.local' version='1.0'>" +
                  "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>",
                tls: false,
              }
            : text.includes('<starttls')
              ? { reply: "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", tls: true }
              : { reply: '</stream:stream>', tls: false },
      };
  }
}

/**
 * Start the responder; each accepted connection is spliced to `127.0.0.1:tlsPort` after the
 * go-ahead.
 */
export async function startStartTlsResponder(protocol: StartTlsProtocol, tlsPort: number): Promise<RunningResponder> {
  const commands: string[] = [];
  const sockets = new Set<Socket>();
  // Half-open both ways: the client's FIN (after its close_notify) must not close our side before
  // s_server's close_notify has been passed back.
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    const d = dialog(protocol);
    if (d.greeting !== '') client.write(d.greeting);
    let buffered = '';
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('latin1');
      if (buffered.length > 16 * 1024) {
        client.destroy();
        return;
      }
      for (;;) {
        let unit: string;
        if (protocol === 'xmpp') {
          const end = buffered.search(/>/);
          if (end < 0) return;
          unit = buffered.slice(0, end + 1);
          buffered = buffered.slice(end + 1);
        } else {
          const nl = buffered.indexOf('\n');
          if (nl < 0) return;
          unit = buffered.slice(0, nl).replace(/\r$/, '');
          buffered = buffered.slice(nl + 1);
        }
        commands.push(unit);
        const { reply, tls } = d.answer(unit);
        client.write(reply);
        if (tls) {
          client.removeListener('data', onData);
          client.pause();
          const upstream = connect({ host: '127.0.0.1', port: tlsPort, allowHalfOpen: true });
          sockets.add(upstream);
          upstream.on('close', () => sockets.delete(upstream));
          // A reset from s_server after its close_notify must not discard what is still queued for the client.
          upstream.on('error', () => client.end());
          upstream.on('connect', () => {
            if (buffered.length > 0) upstream.write(Buffer.from(buffered, 'latin1'));
            client.pipe(upstream);
            upstream.pipe(client);
            client.resume();
          });
          return;
        }
      }
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    commands: () => commands,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
