import { createSocket } from 'node:dgram';

/** A UDP port free on loopback right now (bound, read, released): for a receiver a test starts next. */
export async function freeUdpPort(type: 'udp4' | 'udp6' = 'udp4'): Promise<number> {
  const socket = createSocket(type);
  await new Promise<void>((resolve) => socket.bind(0, type === 'udp4' ? '127.0.0.1' : '::1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}
