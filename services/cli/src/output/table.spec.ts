import { renderFields, renderTable } from './table';

describe(renderTable.name, () => {
  it('prints an upper-case header and one aligned line per record, without borders, colours or trailing blanks', () => {
    expect(renderTable(['id', 'name', 'note'], [['c1', 'postgres', ''], ['c22', 'pg', 'x']])).toBe(
      ['ID   NAME      NOTE', 'c1   postgres', 'c22  pg        x'].join('\n'),
    );
  });

  it('prints the empty text instead of a bare header', () => {
    expect(renderTable(['id'], [], '(no connections)')).toBe('(no connections)');
  });
});

describe(renderFields.name, () => {
  it('prints one aligned line per field', () => {
    expect(
      renderFields([
        ['id', 'c1'],
        ['auth method', 'basic'],
      ]),
    ).toBe(['id:           c1', 'auth method:  basic'].join('\n'));
  });
});
