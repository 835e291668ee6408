import { checkKey, containerId, parseContainerId } from './identity';

describe(containerId.name, () => {
  it('joins schema and name with a dot', () => {
    expect(containerId('sales', 'orders')).toBe('sales.orders');
  });

  it('quotes parts that hold a dot or a quote, so ids never collide', () => {
    expect(containerId('a.b', 'c')).toBe('"a.b".c');
    expect(containerId('a', 'b.c')).toBe('a."b.c"');
    expect(containerId('a', 'say "hi"')).toBe('a."say ""hi"""');
    expect(containerId('a.b', 'c')).not.toBe(containerId('a', 'b.c'));
  });
});

describe(checkKey.name, () => {
  it('is type:field, unambiguous because types hold no colon', () => {
    expect(checkKey({ type: 'not_null', field: 'a:b' })).toBe('not_null:a:b');
  });
});

describe(parseContainerId.name, () => {
  it.each([
    ['sales', 'orders'],
    ['my.schema', 'or"ders'],
    ['a"b', 'c.d.e'],
    ['plain', 'with space'],
  ])('reads back containerId(%j, %j)', (schema, name) => {
    expect(parseContainerId(containerId(schema, name))).toEqual({ schema, name });
  });

  it('refuses text that is not a container id', () => {
    expect(() => parseContainerId('orders')).toThrow(/not a container id/);
  });
});
