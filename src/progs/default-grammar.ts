/**
 * @fileoverview Stage: progs. The default grammar of the program generator, as text (a module rather
 * than a data file so it is found the same way from src/ and dist/).
 *
 * Consumes: nothing. Produces: `DEFAULT_GRAMMAR`, the grammar `inputsmith progs gen` uses without
 * --grammar; `inputsmith progs grammar` prints it as a starting point for an edited copy.
 */

export const DEFAULT_GRAMMAR = `# inputsmith progs: the default grammar for C on x86-64.
# Format (docs/progs.md):  rule : weight item item ... | weight item ... ;
# Weights are relative, written as percentages. "text" is a terminal; a bare name is a rule of this
# grammar or a generator action (constant, known_identifier, make_identifier, array_element,
# struct_member, pointer_deref, call, loop_header). %name value sets a size limit.

%max_expr_depth 7
%max_stmt_depth 3
%main_statements 24
%function_statements 6
%max_functions 4
%max_params 3
%max_loop_trips 8
%max_loop_nest 3
%max_array_length 8
%max_struct_fields 4
%global_percent 50

# main runs until %main_statements statements are written; functions and nested blocks are shorter.
main_body     : 100 main_list ;
function_body : 100 stmt_list ;

main_list : 3 stmt | 97 stmt main_list ;
stmt_list : 25 stmt | 75 stmt stmt_list ;

stmt : 58 assign_stmt
     | 6 incdec_stmt
     | 14 if_stmt
     | 14 for_stmt
     | 3 "{" stmt_list "}"
     ;

assign_stmt : 70 lvalue "=" expr ";"
            | 4 lvalue "+=" expr ";"
            | 4 lvalue "-=" expr ";"
            | 3 lvalue "*=" expr ";"
            | 2 lvalue "/=" expr ";"
            | 2 lvalue "%=" expr ";"
            | 3 lvalue "<<=" expr ";"
            | 3 lvalue ">>=" expr ";"
            | 3 lvalue "&=" expr ";"
            | 3 lvalue "|=" expr ";"
            | 3 lvalue "^=" expr ";"
            ;

incdec_stmt : 40 lvalue "++" ";" | 30 lvalue "--" ";" | 15 "++" lvalue ";" | 15 "--" lvalue ";" ;

if_stmt : 55 "if" "(" expr ")" "{" stmt_list "}"
        | 45 "if" "(" expr ")" "{" stmt_list "}" "else" "{" stmt_list "}"
        ;

for_stmt : 100 "for" "(" loop_header ")" "{" stmt_list "}" ;

lvalue : 35 known_identifier
       | 25 make_identifier
       | 15 array_element
       | 12 struct_member
       | 13 pointer_deref
       ;

expr : 35 primary
     | 42 binary_expr
     | 9 unary_expr
     | 8 "(" type ")" expr
     | 6 expr "?" expr ":" expr
     ;

binary_expr : 9 expr "+" expr  | 7 expr "-" expr  | 7 expr "*" expr  | 4 expr "/" expr  | 4 expr "%" expr
            | 6 expr "<<" expr | 6 expr ">>" expr
            | 7 expr "&" expr  | 6 expr "|" expr  | 7 expr "^" expr
            | 4 expr "<" expr  | 4 expr ">" expr  | 3 expr "<=" expr | 3 expr ">=" expr
            | 4 expr "==" expr | 4 expr "!=" expr
            | 3 expr "&&" expr | 3 expr "||" expr
            ;

unary_expr : 40 "-" expr | 30 "~" expr | 25 "!" expr | 5 "+" expr ;

primary : 30 constant
        | 46 rvalue
        | 10 "(" expr ")"
        | 14 call
        ;

rvalue : 60 known_identifier
       | 15 array_element
       | 12 struct_member
       | 13 pointer_deref
       ;

type : 5 "char"  | 4 "signed char" | 5 "unsigned char"
     | 5 "short" | 5 "unsigned short"
     | 12 "int"  | 8 "unsigned int"
     | 6 "long"  | 5 "unsigned long"
     | 4 "long long" | 4 "unsigned long long"
     | 4 "int8_t"  | 4 "uint8_t"  | 4 "int16_t" | 4 "uint16_t"
     | 5 "int32_t" | 5 "uint32_t" | 4 "int64_t" | 7 "uint64_t"
     ;
`;
