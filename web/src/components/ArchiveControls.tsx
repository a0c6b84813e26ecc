// Archiving and restoring what the catalog offers (templates, services, products): archiving asks first and
// says what it stops and what it never touches; restoring is one click, since it takes nothing away.
import type { ReactNode } from 'react';
import { useDesk } from '../context';
import { useAction } from '../lib/hooks';
import { Dialog } from './Dialog';
import { ErrorNotice } from './ui';

export type CatalogKind = 'template' | 'service' | 'product';

const WHAT_ARCHIVING_DOES: Record<CatalogKind, ReactNode> = {
  template: 'It will no longer be on sale. Packages already sold from it are not affected.',
  service: 'It can no longer be put into a new package template. Templates that include it still sell, and customers keep redeeming it from the packages they have.',
  product: 'It can no longer be put into a new package template. Templates that include it still sell, and customers keep redeeming it from the packages they have.',
};

function useArchiveCalls(kind: CatalogKind): { archive: (id: string) => Promise<unknown>; restore: (id: string) => Promise<unknown> } {
  const { change } = useDesk();
  return kind === 'template'
    ? { archive: change.archiveTemplate, restore: change.restoreTemplate }
    : kind === 'service'
      ? { archive: change.archiveService, restore: change.restoreService }
      : { archive: change.archiveProduct, restore: change.restoreProduct };
}

export function ArchiveDialog({ kind, entity, onClose, onDone }: { kind: CatalogKind; entity: { id: string; name: string }; onClose: () => void; onDone: () => void }) {
  const calls = useArchiveCalls(kind);
  const action = useAction();
  const submit = async () => {
    if (await action.run(`archive:${kind}:${entity.id}`, () => calls.archive(entity.id))) onDone();
  };
  return (
    <Dialog
      title={`Archive ${entity.name}?`}
      onClose={onClose}
      busy={action.busy}
      onSubmit={submit}
      actions={
        <button type="submit" className="btn btn-danger" disabled={action.busy} autoFocus>
          {action.busy ? 'Archiving…' : 'Archive'}
        </button>
      }
    >
      <p>{WHAT_ARCHIVING_DOES[kind]}</p>
      <p className="muted">You can restore it at any time from the archived ones.</p>
      <ErrorNotice error={action.error} />
    </Dialog>
  );
}

export function RestoreButton({ kind, entity, onDone }: { kind: CatalogKind; entity: { id: string; name: string }; onDone: () => void }) {
  const calls = useArchiveCalls(kind);
  const action = useAction();
  const restore = async () => {
    if (await action.run(`restore:${kind}:${entity.id}`, () => calls.restore(entity.id))) onDone();
  };
  return (
    <>
      <button type="button" className="btn btn-small" onClick={restore} disabled={action.busy} aria-label={`Restore ${entity.name}`}>
        {action.busy ? 'Restoring…' : 'Restore'}
      </button>
      <ErrorNotice error={action.error} />
    </>
  );
}
