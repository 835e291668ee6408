import { dataplane } from '@plumbline/proto';
import { Endpoint } from './endpoint';
import { StepError } from './step-recorder';
import { decideTls, tlsClientOptions, tlsError } from './tls';

const { StepStatus, TestErrorCode } = dataplane;
const endpoint = new Endpoint('db.example', 5432, '10.0.0.5', '10.1.2.3');

describe(decideTls.name, () => {
  it('is not applicable with ssl_mode disable', () => {
    expect(decideTls({ mode: 'disable' }, true, endpoint)).toMatchObject({ status: StepStatus.NOT_APPLICABLE, value: false });
  });

  it('uses TLS whenever the server offers it and the mode allows', () => {
    for (const mode of ['prefer', 'require', 'verify-ca', 'verify-full'] as const) {
      expect(decideTls({ mode }, true, endpoint).value).toBe(true);
    }
  });

  it('continues unencrypted with prefer when TLS is not offered', () => {
    const sut = decideTls({ mode: 'prefer' }, false, endpoint);

    expect(sut).toMatchObject({ status: StepStatus.PASSED, value: false });
    expect(sut.message).toContain('server does not offer TLS; continuing unencrypted');
  });

  it.each(['require', 'verify-ca', 'verify-full'] as const)('fails with %s when TLS is not offered', (mode) => {
    expect(() => decideTls({ mode }, false, endpoint)).toThrow(StepError);
    try {
      decideTls({ mode }, false, endpoint);
    } catch (error) {
      expect(error).toMatchObject({ code: TestErrorCode.TLS_FAILED });
      expect((error as Error).message).toContain('server does not offer TLS');
    }
  });
});

describe(tlsClientOptions.name, () => {
  it('verifies nothing with require, the chain with verify-ca, and the name with verify-full', () => {
    expect(tlsClientOptions({ mode: 'require' }, 'db.example')).toMatchObject({ rejectUnauthorized: false, servername: 'db.example' });
    expect(tlsClientOptions({ mode: 'verify-ca' }, 'db.example').rejectUnauthorized).toBe(true);
    const full = tlsClientOptions({ mode: 'verify-full', ca: 'PEM' }, '10.0.0.5');
    expect(full).toMatchObject({ rejectUnauthorized: true, ca: ['PEM'] });
    // No SNI for an IP literal.
    expect(full.servername).toBeUndefined();
  });
});

describe(tlsError.name, () => {
  it('gives a certificate-specific hint', () => {
    const untrusted = tlsError(Object.assign(new Error('self-signed'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), endpoint, {
      mode: 'verify-full',
    });
    const mismatch = tlsError(Object.assign(new Error('x'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), endpoint, {
      mode: 'verify-full',
    });

    expect(untrusted).toMatchObject({ code: TestErrorCode.TLS_FAILED });
    expect(untrusted.hint).toContain('ssl_ca');
    expect(mismatch.message).toContain('does not name db.example');
  });
});
