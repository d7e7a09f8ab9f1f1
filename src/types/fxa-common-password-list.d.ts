// The package ships no types: one CommonJS object with a test(password) method.
declare module 'fxa-common-password-list' {
  const commonPasswords: { test(password: string): boolean };
  export default commonPasswords;
}
