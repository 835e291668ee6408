import { parseSslAnswer, SSL_REQUEST } from './postgresql.protocol';

describe(parseSslAnswer.name, () => {
  it('reads S and N', () => {
    expect(parseSslAnswer(Buffer.from('S'))).toEqual({ kind: 'accepted' });
    expect(parseSslAnswer(Buffer.from('N'))).toEqual({ kind: 'refused' });
  });

  it('flags bytes after S, which must never be taken as part of TLS', () => {
    expect(parseSslAnswer(Buffer.from('Sxyz'))).toEqual({ kind: 'data-after-accept', length: 4 });
  });

  it('flags answers that are not PostgreSQL', () => {
    expect(parseSslAnswer(Buffer.from('HTTP/1.1 400'))).toMatchObject({ kind: 'unexpected', firstByte: 0x48 });
    expect(parseSslAnswer(Buffer.from('E'))).toMatchObject({ kind: 'unexpected' });
  });

  it('sends the SSLRequest code 80877103', () => {
    expect(SSL_REQUEST.readInt32BE(0)).toBe(8);
    expect(SSL_REQUEST.readInt32BE(4)).toBe(80877103);
  });
});
