/** The interactive menu (placeholder until the menu lands). */
export async function runMenu(): Promise<number> {
  process.stderr.write('hf-datasets: the interactive menu is not available yet; see --help\n');
  return 2;
}
