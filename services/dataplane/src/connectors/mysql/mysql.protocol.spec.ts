import { CLIENT_SSL, firstPacketComplete, MalformedGreetingError, parseGreeting, quoteMysqlIdentifier } from './mysql.protocol';

function packet(payload: Buffer, sequence = 0): Buffer {
  const header = Buffer.alloc(4);
  header.writeUIntLE(payload.length, 0, 3);
  header.writeUInt8(sequence, 3);
  return Buffer.concat([header, payload]);
}

function handshake(version: string, capabilities: number): Buffer {
  const rest = Buffer.alloc(4 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10 + 13);
  rest.writeUInt16LE(capabilities & 0xffff, 13);
  rest.writeUInt16LE(capabilities >>> 16, 18);
  return packet(Buffer.concat([Buffer.from([10]), Buffer.from(`${version}\0`), rest]));
}

describe(parseGreeting.name, () => {
  it('reads the version and sees CLIENT_SSL', () => {
    const sut = parseGreeting(handshake('8.0.36', 0x000fa000 | CLIENT_SSL | 0x200));

    expect(sut).toMatchObject({ kind: 'handshake', protocolVersion: 10, serverVersion: '8.0.36', offersTls: true });
  });

  it('sees when TLS is not offered', () => {
    expect(parseGreeting(handshake('5.5.5-10.11.6-MariaDB', 0x200))).toMatchObject({ offersTls: false });
  });

  it('reads an error packet sent instead of a greeting', () => {
    const payload = Buffer.concat([Buffer.from([0xff, 0x6a, 0x04]), Buffer.from("Host '10.1.2.3' is not allowed to connect")]);

    expect(parseGreeting(packet(payload))).toEqual({
      kind: 'error',
      errno: 1130,
      message: "Host '10.1.2.3' is not allowed to connect",
    });
  });

  it('rejects what is not a MySQL greeting', () => {
    expect(() => parseGreeting(packet(Buffer.from('HTTP/1.1 400 Bad Request')))).toThrow(MalformedGreetingError);
    expect(() => parseGreeting(Buffer.from([5, 0]))).toThrow(MalformedGreetingError);
  });
});

describe(firstPacketComplete.name, () => {
  it('waits for the whole first packet', () => {
    const whole = handshake('8.0.36', 0);

    expect(firstPacketComplete(whole.subarray(0, 3))).toBe(false);
    expect(firstPacketComplete(whole.subarray(0, whole.length - 1))).toBe(false);
    expect(firstPacketComplete(whole)).toBe(true);
  });
});

describe(quoteMysqlIdentifier.name, () => {
  it('backtick-quotes and doubles embedded backticks', () => {
    expect(quoteMysqlIdentifier('orders')).toBe('`orders`');
    expect(quoteMysqlIdentifier('a `b` c')).toBe('`a ``b`` c`');
  });
});
