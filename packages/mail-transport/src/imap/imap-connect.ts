// Opens the imapflow client behind ImapSession: TLS verified against the pinned certificate or
// the system roots (implicit TLS, or STARTTLS that must succeed), LOGIN, named timeouts, and
// QRESYNC (RFC 7162) with a collector for VANISHED UIDs. Credentials are never logged.

import { ImapFlow, type ImapFlowOptions, type Logger } from 'imapflow';

import { toImapConnectError } from './imap-errors.ts';
import { VanishedCollector } from './mailbox-sync.ts';
import { checkServerConfig, tlsOptions, type ServerConfig } from '../server-config.ts';

/** TCP and TLS handshake budget. On a working network the handshake takes well under a second. */
const CONNECTION_TIMEOUT_MS = 15_000;

/** Wait for the server greeting after connecting, which a server under load can send late. */
const GREETING_TIMEOUT_MS = 16_000;

/** Idle time before the socket is dropped, long enough for a large FETCH or APPEND on a slow link. */
const SOCKET_TIMEOUT_MS = 5 * 60_000;

export type ImapLogger = Logger;

export interface ImapConnectOptions extends ServerConfig {
  /** Structured logger for imapflow. False or absent turns its logging off. */
  logger?: ImapLogger | false;
}

/**
 * Connects, upgrades to TLS ('starttls' requires it) and logs in. Raises IMAP_AUTH_FAILED,
 * IMAP_CONNECTION_FAILED or TLS_CERTIFICATE_INVALID.
 */
export async function openImapClient(
  options: ImapConnectOptions,
): Promise<{ client: ImapFlow; vanished: VanishedCollector }> {
  const server = checkServerConfig(options, ['logger']);
  const logger = options.logger ?? false;
  const vanished = new VanishedCollector();

  const clientOptions: ImapFlowOptions = {
    host: server.host,
    port: server.port,
    secure: server.security === 'tls',
    doSTARTTLS: server.security === 'starttls' ? true : undefined,
    auth: { user: server.user, pass: server.password },
    tls: tlsOptions(server),
    logger,
    disableAutoIdle: true,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    // QRESYNC (RFC 7162) reports expunges as VANISHED UIDs; the handler collects them.
    qresync: true,
    expungeHandler: (event) => {
      if (event.vanished && event.uid !== undefined) vanished.add(event.uid);
      client.emit('expunge', event);
    },
  };
  const servername = tlsOptions(server).servername;
  if (servername) clientOptions.servername = servername;

  const client = new ImapFlow(clientOptions);
  // imapflow emits 'error' for socket failures after connect, and without a listener Node would crash.
  client.on('error', (error: unknown) => {
    if (logger) logger.warn({ msg: 'IMAP connection error', err: error });
  });

  try {
    await client.connect();
  } catch (error) {
    client.close();
    throw toImapConnectError(error, server);
  }
  return { client, vanished };
}
