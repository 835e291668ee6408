import { findConnector, registeredConnectorIds } from './registry';

describe(findConnector.name, () => {
  it('finds each registered connector under its own id', () => {
    expect(registeredConnectorIds()).toEqual(['postgresql', 'mysql']);
    for (const id of registeredConnectorIds()) expect(findConnector(id)?.id).toBe(id);
  });

  it('finds nothing for unknown ids, including inherited object keys', () => {
    expect(findConnector('snowflake')).toBeUndefined();
    expect(findConnector('toString')).toBeUndefined();
    expect(findConnector('__proto__')).toBeUndefined();
  });
});
