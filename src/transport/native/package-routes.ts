// The package lifecycle on the native surface. Each handler parses, calls one use case and presents it.
import type { HttpApp } from '../http/types.js';
import type { Deps } from '../../application/context.js';

export function registerPackageRoutes(_app: HttpApp, _deps: Deps): void {}
