/**
 * The part of @jambonz/verb-specifications (0.1.13, plain JavaScript) that
 * bridgeline uses: the check jambonz itself runs on an application's verbs.
 */
declare module '@jambonz/verb-specifications' {
  interface VerbLogger {
    info(...args: unknown[]): void;
    debug(...args: unknown[]): void;
  }

  /** Throws an Error naming the first verb or property that is invalid. */
  export function validate(logger: VerbLogger, verbs: unknown[]): void;
}
