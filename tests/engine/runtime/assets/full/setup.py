setup = dict  # stands in for setuptools.setup: detection reads this file as text, never runs it

setup(
    name="demo",
    python_requires=">=3.8, <4",
    classifiers=["Programming Language :: Python :: 3.8"],
)
