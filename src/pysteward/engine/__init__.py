"""The assessment engine: pure logic, usable as a library with no server, database server or network."""
