import { useApp } from '../store-context.tsx';
import { ConnectionBanner } from './ConnectionBanner.tsx';
import { DialogHost } from './DialogHost.tsx';
import { DrawerHost } from './DrawerHost.tsx';
import { EnvironmentNote } from './EnvironmentNote.tsx';
import { Header } from './Header.tsx';
import { NoticeBar } from './NoticeBar.tsx';
import { Unauthorized } from './Unauthorized.tsx';
import { WorkersSection } from './WorkersSection.tsx';

export function App() {
  const unauthorized = useApp((s) => s.connection === 'unauthorized');
  return (
    <>
      <ConnectionBanner />
      <div className="page">
        <Header />
        <NoticeBar />
        <EnvironmentNote />
        <main tabIndex={-1}>{unauthorized ? <Unauthorized /> : <WorkersSection />}</main>
      </div>
      {!unauthorized && <DialogHost />}
      {!unauthorized && <DrawerHost />}
    </>
  );
}
