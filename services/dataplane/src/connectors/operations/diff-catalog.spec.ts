import { diffCatalog } from './diff-catalog';
import { aContainer, aField } from './testing/catalog-factory';

describe(diffCatalog.name, () => {
  const id = aField({ name: 'id', nullable: false, primaryKey: true });
  const email = aField({ name: 'email', ordinal: 2, declaredType: 'text', type: 'string' });
  const customers = aContainer({ name: 'customers', fields: [id, email], primaryKey: ['id'] });
  const orders = aContainer({ name: 'orders', fields: [id] });

  it('reports nothing but unchanged ids for identical catalogs', () => {
    expect(diffCatalog([customers, orders], [orders, customers])).toEqual({
      added: [],
      removed: [],
      changed: [],
      unchanged: ['shop.orders', 'shop.customers'],
    });
  });

  it('finds added and removed containers by id', () => {
    const invoices = aContainer({ name: 'invoices' });
    const sut = diffCatalog([customers, orders], [customers, invoices]);
    expect(sut.added).toEqual([invoices]);
    expect(sut.removed).toEqual([orders]);
    expect(sut.unchanged).toEqual(['shop.customers']);
  });

  it('treats the same name in another schema as another container', () => {
    const other = aContainer({ name: 'orders', schema: 'archive' });
    const sut = diffCatalog([orders], [other]);
    expect(sut.added.map((c) => c.id)).toEqual(['archive.orders']);
    expect(sut.removed.map((c) => c.id)).toEqual(['shop.orders']);
  });

  it('finds added, removed and changed fields, ignoring ordinal shifts', () => {
    const phone = aField({ name: 'phone', ordinal: 2, declaredType: 'text', type: 'string' });
    const widened = { ...id, declaredType: 'bigint', ordinal: 1 };
    const next = aContainer({ name: 'customers', fields: [widened, phone], primaryKey: ['id'] });
    const sut = diffCatalog([customers], [next]);
    expect(sut.changed).toEqual([
      {
        id: 'shop.customers',
        changes: [],
        fieldsAdded: [phone],
        fieldsRemoved: [email],
        fieldsChanged: [{ field: 'id', changes: [{ property: 'declaredType', from: 'integer', to: 'bigint' }] }],
      },
    ]);
  });

  it('does not report a field whose only difference is its ordinal', () => {
    const moved = aContainer({ name: 'customers', fields: [{ ...email, ordinal: 1 }, { ...id, ordinal: 2 }], primaryKey: ['id'] });
    expect(diffCatalog([customers], [moved]).unchanged).toEqual(['shop.customers']);
  });

  it('reports nullability, type and key membership changes property by property', () => {
    const next = aContainer({
      name: 'customers',
      fields: [id, { ...email, nullable: false, unique: true, type: 'other' }],
      primaryKey: ['id'],
      uniqueKeys: [{ name: 'customers_email_key', fields: ['email'] }],
    });
    const [change] = diffCatalog([customers], [next]).changed;
    expect(change?.fieldsChanged).toEqual([
      {
        field: 'email',
        changes: [
          { property: 'type', from: 'string', to: 'other' },
          { property: 'nullable', from: true, to: false },
          { property: 'unique', from: false, to: true },
        ],
      },
    ]);
    expect(change?.changes).toEqual([{ property: 'uniqueKeys', from: [], to: [{ name: 'customers_email_key', fields: ['email'] }] }]);
  });

  it('reports container kind, primary key and foreign key changes', () => {
    const fk = { name: 'fk', fields: ['id'], references: { container: 'shop.customers', fields: ['id'] } };
    const next = aContainer({ name: 'orders', kind: 'view', fields: [id], primaryKey: ['id'], foreignKeys: [fk] });
    const [change] = diffCatalog([orders], [next]).changed;
    expect(change?.changes.map((c) => c.property)).toEqual(['kind', 'primaryKey', 'foreignKeys']);
  });

  it('ignores the order in which unique and foreign keys are listed', () => {
    const a = { name: 'a', fields: ['id'] };
    const b = { name: 'b', fields: ['email'] };
    const before = aContainer({ name: 't', uniqueKeys: [a, b] });
    const after = aContainer({ name: 't', uniqueKeys: [b, a] });
    expect(diffCatalog([before], [after]).unchanged).toEqual(['shop.t']);
  });
});
