import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'secrets_manager' })
export class SecretsManagerEntity {
  /** Assigned before insert: the payload ciphertext's AAD binds to it. */
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text', { name: 'login_url' })
  loginUrl!: string;

  /** AES-256-GCM ciphertext of the JSON credentials payload. */
  @Column('text', { name: 'credentials_payload' })
  credentialsPayload!: string;

  @Column('text', { name: 'token_path' })
  tokenPath!: string;

  @Column('text', { name: 'secret_url' })
  secretUrl!: string;

  @Column('text', { name: 'token_header' })
  tokenHeader!: string;

  @Column('text', { name: 'token_prefix', default: '' })
  tokenPrefix!: string;

  @Column('text', { name: 'data_path' })
  dataPath!: string;

  @Column('text', { name: 'ca_bundle', default: '' })
  caBundle!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
