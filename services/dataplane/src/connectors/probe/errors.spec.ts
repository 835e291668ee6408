import { certificateProblemOf, classifyNetworkError, errnoOf, errorCodeOf, errorMessageOf } from './errors';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe(classifyNetworkError.name, () => {
  it.each([
    ['ECONNREFUSED', 'refused'],
    ['EHOSTUNREACH', 'unreachable'],
    ['ENETUNREACH', 'unreachable'],
    ['ETIMEDOUT', 'timeout'],
    ['ECONNRESET', 'reset'],
    ['ENOTFOUND', 'dns'],
  ])('maps %s to %s', (code, expected) => {
    expect(classifyNetworkError(withCode(code))).toBe(expected);
  });

  it('ignores errors that are not network errors', () => {
    expect(classifyNetworkError(withCode('28P01'))).toBeUndefined();
    expect(classifyNetworkError('ECONNREFUSED')).toBeUndefined();
  });
});

describe(certificateProblemOf.name, () => {
  it.each([
    [withCode('DEPTH_ZERO_SELF_SIGNED_CERT'), 'untrusted'],
    [withCode('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'untrusted'],
    [withCode('ERR_TLS_CERT_ALTNAME_INVALID'), 'hostname'],
    [withCode('CERT_HAS_EXPIRED'), 'expired'],
    // mysql2 relabels TLS errors; the message still tells.
    [withCode('HANDSHAKE_SSL_ERROR', 'unable to verify the first certificate'), 'untrusted'],
    [withCode('HANDSHAKE_SSL_ERROR', "Hostname/IP does not match certificate's altnames: Host: x"), 'hostname'],
    [withCode('HANDSHAKE_SSL_ERROR', 'self-signed certificate in certificate chain'), 'untrusted'],
  ])('classifies %p as %p', (error, expected) => {
    expect(certificateProblemOf(error)).toBe(expected);
  });

  it('returns undefined for other errors', () => {
    expect(certificateProblemOf(withCode('ECONNRESET', 'socket hang up'))).toBeUndefined();
  });
});

describe('error field readers', () => {
  it('read code, errno and message defensively', () => {
    expect(errorCodeOf({ code: 1045 })).toBeUndefined();
    expect(errorCodeOf(withCode('3D000'))).toBe('3D000');
    expect(errnoOf({ errno: 1045 })).toBe(1045);
    expect(errorMessageOf({ message: 'from another realm' })).toBe('from another realm');
    expect(errorMessageOf(42)).toBe('unknown error');
  });
});
