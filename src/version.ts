/** The product's version, sent in the user agent. A unit test keeps it equal to package.json's. */
export const VERSION = '1.0.0';
export const PRODUCT = 'multi-account-deploy';
