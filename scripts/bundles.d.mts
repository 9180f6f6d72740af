export declare const bundles: Record<string, string>;
