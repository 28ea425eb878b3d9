"""Runs many gcloud commands in one Python process (gcloud's start-up, about
a second of CPU, is paid once): imports gcloud, then forks a child per
command, whose exit code and stderr it reports as one JSON line each.

Used by test/deploy/deploy.test.ts to prove that the real gcloud parses
deploy.sh's commands. Usage: <gcloud's python> gcloud-batch.py SDK_ROOT < argv-lines
(each input line a JSON array of arguments, without the leading `gcloud`).
"""
import json
import os
import sys
import tempfile

sdk_root = sys.argv[1]
sys.path[0:0] = [os.path.join(sdk_root, 'lib'), os.path.join(sdk_root, 'lib', 'third_party')]

from googlecloudsdk import gcloud_main  # noqa: E402  pylint: disable=g-import-not-at-top

cli = gcloud_main.CreateCLI([])

for line in sys.stdin:
    if not line.strip():
        continue
    argv = json.loads(line)
    with tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(err.fileno(), 2)
            code = 0
            try:
                cli.Execute(argv)
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 1
            except BaseException as e:  # pylint: disable=broad-except
                sys.stderr.write('ERROR: %s: %s\n' % (type(e).__name__, e))
                code = 1
            sys.stderr.flush()
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        err.seek(0)
        stderr = err.read().decode('utf-8', 'replace')
    code = os.waitstatus_to_exitcode(status)
    sys.stdout.write(json.dumps({'argv': argv, 'code': code, 'stderr': stderr}) + '\n')
    sys.stdout.flush()
