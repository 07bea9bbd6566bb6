"""dagtest's Ray driver: runs dagtest jobs as Ray tasks (not part of the stdlib-only runner).

`python -m dagtest_ray` is started by the TypeScript Ray executor (src/exec/ray/) and speaks JSON
lines with it on stdin/stdout. It needs `ray` in the interpreter that runs it; the workers need it
too (they are Ray workers), and receive this package and `dagtest_runner` through the job's
runtime_env (py_modules).
"""
