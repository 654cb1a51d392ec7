
export interface GitInfo {
  commit: string | null;
  branch: string | null;
  dirty: boolean;
  /** Changed files under the pipeline folder (relative to the repo root). */
  dirtyFiles: string[];
}

/** Git provenance of a run; `null`s outside a repository, never an error. */
export async function gitInfo(dir: string, scope?: string): Promise<GitInfo> {
  try {
    const { simpleGit } = await import('simple-git');
    const git = simpleGit({ baseDir: dir });
    if (!(await git.checkIsRepo())) return { commit: null, branch: null, dirty: false, dirtyFiles: [] };
    const [commit, status] = await Promise.all([git.revparse(['HEAD']).catch(() => null), git.status(scope ? ['--', scope] : [])]);
    const dirtyFiles = status.files.map((f) => f.path).sort();
    return { commit: commit?.trim() ?? null, branch: status.current ?? null, dirty: dirtyFiles.length > 0, dirtyFiles };
  } catch {
    return { commit: null, branch: null, dirty: false, dirtyFiles: [] };
  }
}
