/** Types of tools/bicep/bicep.mjs (plain JavaScript so that it runs before a build). */
export declare const PROJECT: string;
export declare function pinnedVersion(): string;
export declare function bicepPath(): string;
export declare function unavailableReason(): string | undefined;
export declare function ensureBicep(): string;
