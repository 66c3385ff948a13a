const fs = require('fs');
const path = require('path');
const { task, src, dest } = require('gulp');

// dist/ is made anew on every build, so nothing a former build left behind is packed.
task('clean', () => fs.promises.rm('dist', { recursive: true, force: true }));

// tsc emits only code and codex JSON; n8n loads icons from the paths the nodes and credentials
// name ("file:../../icons/x.svg"), so they are copied beside the compiled files.
task('build:icons', () =>
	src(['icons/**/*.{png,svg}', 'nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], {
		base: path.resolve('.'),
		encoding: false,
	}).pipe(dest('dist')),
);

// Output schemas, one per operation, which n8n serves to its editor from a `__schema__` folder
// beside the compiled node (n8n-core resolveOutputSchemaPath): copied as they are.
task('build:schemas', () =>
	src('nodes/**/__schema__/**/*.json', { base: path.resolve('.') }).pipe(dest('dist')),
);
