/** "mnt:[4026531841]" -> "4026531841"; undefined when the link text is not a namespace link. */
export function parseNamespaceLink(link: string): string | undefined {
  const match = /^[a-z_]+:\[(\d+)\]$/.exec(link);
  return match?.[1];
}
