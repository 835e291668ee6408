import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'datastore' })
export class DatastoreEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  /** ON DELETE RESTRICT: the database itself refuses to orphan a datastore. */
  @Column('uuid', { name: 'connection_id' })
  connectionId!: string;

  @Column('jsonb')
  scope!: Record<string, string>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
