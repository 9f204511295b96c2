// The backend line of "sealpost-sop version --backend": crypto-core and the openpgp.js
// version it runs on, as openpgp.js reports it.
import { config } from 'openpgp';

export default function backendVersion(): string {
  return `Sealpost crypto-core on ${config.versionString}`;
}
