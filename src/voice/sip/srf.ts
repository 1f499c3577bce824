import DrachtioSrf from 'drachtio-srf';
import type { SrfConstructor } from '../../types/drachtio-srf';

/**
 * drachtio-srf's class under the declarations in src/types/drachtio-srf.d.ts
 * rather than its bundled ones (see there why). This is the only place the
 * library's own types meet ours.
 */
export const Srf = DrachtioSrf as unknown as SrfConstructor;
