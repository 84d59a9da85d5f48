// Which service manager runs the daemon: written into every unit (PIPEDAI_SERVICE_MANAGER) so
// the daemon knows how to give way after a self-upgrade and what a SIGTERM means.
import { z } from 'zod';

export const SERVICE_MANAGER_ENV = 'PIPEDAI_SERVICE_MANAGER';
export const ServiceManagerKind = z.enum(['systemd-user', 'systemd-system', 'launchd', 'nssm']);
export type ServiceManagerKind = z.infer<typeof ServiceManagerKind>;
