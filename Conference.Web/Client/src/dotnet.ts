/** The part of a DotNetObjectReference the module uses: Blazor's JS interop hands one in, tests hand in a recorder. */
export interface DotNetRef {
  invokeMethodAsync(method: string, ...args: unknown[]): Promise<unknown>;
}
