python_requires = "not a spec"
