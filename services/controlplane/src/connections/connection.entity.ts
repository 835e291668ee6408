import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

@Entity({ name: 'connection' })
export class ConnectionEntity {
  /** Assigned by the application before insert: the ciphertext's AAD binds to it. */
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text')
  connector!: string;

  @Column('text', { name: 'auth_method' })
  authMethod!: string;

  /** Non-secret properties only. */
  @Column('jsonb')
  properties!: Record<string, string>;

  /** AES-256-GCM ciphertext of a JSON object of the secret properties. */
  @Column('text', { name: 'secret_properties', nullable: true })
  secretProperties!: string | null;

  /** The secrets manager `${key}` references in `properties` resolve against. */
  @Column('uuid', { name: 'secrets_manager_id', nullable: true })
  secretsManagerId!: string | null;

  /** Which secret properties hold a value: names are not secret, and listing must not decrypt. */
  @Column('text', { name: 'secret_property_names', array: true, default: () => "'{}'" })
  secretPropertyNames!: string[];

  /** Bumped on every update: an edit verified against stale state is refused. */
  @VersionColumn()
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
